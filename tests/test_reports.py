import pytest

from fkp_helpers.reports import nested_markdown


def test_headings_move_down_and_nothing_else_changes(tmp_path):
    page = tmp_path / "speed.md"
    page.write_text("# Speed\n\n- Device: x\n\n## Table\n\n| a # b |\n|---|\n\nText with # inside.\n", encoding="utf-8")
    assert nested_markdown(page) == "### Speed\n\n- Device: x\n\n#### Table\n\n| a # b |\n|---|\n\nText with # inside.\n"
    assert nested_markdown(page, levels=0) == page.read_text(encoding="utf-8")


def test_a_missing_page_or_a_negative_level_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError):
        nested_markdown(tmp_path / "missing.md")
    with pytest.raises(ValueError, match="levels"):
        nested_markdown(tmp_path / "missing.md", levels=-1)
