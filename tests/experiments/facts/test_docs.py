"""docs/validation.md describes the facts exactly as facts.toml declares them."""

from supportnet.experiments.facts import docs


def test_validation_doc_is_up_to_date():
    assert docs.main(["--check"]) == 0, "run `python -m supportnet.experiments.facts.docs`"


def test_every_fact_is_in_the_doc():
    from supportnet.experiments.facts import load_battery

    text = docs.DOC.read_text()
    for f in load_battery().facts:
        assert f"### {f.id}: {f.title}" in text
