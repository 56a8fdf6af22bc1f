"""docs/model.md's generated parts match the code (parameters, submodels, kind tables)."""

from supportnet.docs import DOC, generated_sections, render


def test_model_doc_is_up_to_date():
    text = DOC.read_text()
    assert render(text) == text, "docs/model.md is out of date: run `python -m supportnet.docs`"


def test_model_doc_has_every_block_and_the_odd_sections():
    text = DOC.read_text()
    for name in generated_sections():
        assert f"<!-- BEGIN GENERATED: {name} -->" in text
    for heading in (
        "Purpose and patterns",
        "Entities, state variables",
        "Process overview",
        "Design concepts",
        "Initialisation",
        "Input data",
        "Submodels",
        "Parameters",
    ):
        assert heading in text


def test_every_phase_cites_its_sources():
    from supportnet.mechanisms import PHASES

    for _, phase in PHASES:
        import inspect

        doc = inspect.getmodule(phase).__doc__
        assert "Sources:" in doc and ("(19" in doc or "(20" in doc)


def test_every_phase_has_a_heading_and_each_module_is_described_once():
    import inspect

    from supportnet.mechanisms import PHASES

    text = generated_sections()["submodels"]
    headings = [line for line in text.splitlines() if line.startswith("### 7.")]
    assert len(headings) == len(PHASES)
    for _, phase in PHASES:
        module = inspect.getmodule(phase)
        first_line = inspect.cleandoc(module.__doc__).partition("\n")[0]
        assert text.count(first_line) == 1, module.__name__  # the caregiving module runs twice
