"""The malformed-input corpus (issue 15): configs and command lines that must each be refused with
one clear line (or, for options that silently do nothing, a warning), never a traceback and never
silently accepted. Each case carries the pattern its message must match."""

from __future__ import annotations

import copy
import re

import pytest

from supportnet import resources
from supportnet.experiments.cli import main
from supportnet.experiments.config import ConfigError, parse_config
from tests.experiments.conftest import TINY

HUGE = 10**400
INF = float("inf")
NAN = float("nan")


def cfg(**changes):
    """TINY with dotted keys changed (``base.n_people=...``); a value of ... deletes the key."""
    data = copy.deepcopy(TINY)
    for dotted, value in changes.items():
        *path, last = dotted.split("__")
        d = data
        for k in path:
            d = d.setdefault(k, {})
        if value is ...:
            d.pop(last, None)
        else:
            d[last] = value
    return data


def with_iv(**settings):
    return cfg(
        interventions=[{"kind": "professional", **settings}], control={"label": "none", "set": {}}
    )


# (id, config, pattern of the one-line message): every one must be refused.
REFUSED = [
    # --- special numbers and huge integers in parameters --------------------------------------
    *[
        (f"base-{name}-{label}", cfg(**{f"base__{name}": v}), pat)
        for name in ("n_people", "stressor_rate", "shock_start", "max_ties", "capacity_mean")
        for label, v, pat in (
            ("inf", INF, r"'base\.\w+' = inf is not allowed"),
            ("nan", NAN, r"'base\.\w+' = nan is not allowed"),
            (
                "huge",
                HUGE,
                r"'base\.\w+' = 10000000000000000000\.\.\.0+ \(401 characters\) is out of range",
            ),
            ("neg-huge", -HUGE, r"is out of range"),
            ("text", "ten", r"is not allowed; allowed: a"),
            ("bool", True, r"is not allowed"),
            ("list", [1], r"is not allowed"),
        )
    ],
    # --- design: vary ---------------------------------------------------------------------------
    (
        "vary-inf",
        cfg(design={"vary": {"stressor_rate": [0.1, INF]}}),
        r"design\.vary\.stressor_rate\[1\]' = inf is not allowed",
    ),
    ("vary-nan", cfg(design={"vary": {"stressor_rate": [NAN]}}), r"= nan is not allowed"),
    (
        "vary-huge",
        cfg(design={"vary": {"n_people": [40, HUGE]}}),
        r"\[1\]' = 1000.* is out of range",
    ),
    ("vary-empty", cfg(design={"vary": {"stressor_rate": []}}), r"is not a list of values"),
    ("vary-scalar", cfg(design={"vary": {"stressor_rate": 0.1}}), r"is not a list of values"),
    ("vary-repeat", cfg(design={"vary": {"stressor_rate": [0.1, 0.1]}}), r"repeats a value"),
    (
        "vary-unknown",
        cfg(design={"vary": {"stresor_rate": [0.1]}}),
        r"did you mean 'stressor_rate'",
    ),
    (
        "vary-iv-unknown",
        cfg(design={"vary": {"ghost.budget": [1]}}),
        r"design\.vary\.ghost\.budget",
    ),
    # --- design: ranges -------------------------------------------------------------------------
    *[
        (
            f"range-{label}",
            cfg(design={"kind": "lhs", "samples": 4, "ranges": {"stressor_rate": r}}),
            pat,
        )
        for label, r, pat in (
            ("inf", [0.0, INF], r"is not a range of finite numbers"),
            ("nan", [NAN, 0.5], r"is not a range of finite numbers"),
            ("huge", [0, HUGE], r"is not a range of finite numbers"),
            ("reversed", [0.5, 0.1], r"low must be below high"),
            ("equal", [0.5, 0.5], r"low must be below high"),
            ("one", [0.5], r"is not a range"),
            ("text", ["a", "b"], r"is not a range"),
            ("out", [0.5, 2.0], r"is out of range"),
        )
    ],
    (
        "range-int-huge",
        cfg(design={"kind": "lhs", "samples": 4, "ranges": {"n_people": [40, HUGE]}}),
        r"finite numbers",
    ),
    (
        "range-int-inf",
        cfg(design={"kind": "lhs", "samples": 4, "ranges": {"n_people": [40, INF]}}),
        r"finite numbers",
    ),
    (
        "range-bool",
        cfg(design={"kind": "lhs", "samples": 4, "ranges": {"buffering": [0, 1]}}),
        r"is a range, but 'buffering'",
    ),
    (
        "range-no-samples",
        cfg(design={"kind": "lhs", "ranges": {"stressor_rate": [0, 1]}}),
        r"'design\.samples' is missing",
    ),
    (
        "sobol-not-pow2",
        cfg(design={"kind": "sobol", "samples": 6, "ranges": {"stressor_rate": [0, 1]}}),
        r"is not a power of 2",
    ),
    (
        "morris-odd",
        cfg(
            design={
                "kind": "morris",
                "samples": 4,
                "levels": 5,
                "ranges": {"stressor_rate": [0, 1]},
            }
        ),
        r"is odd",
    ),
    (
        "samples-huge",
        cfg(design={"kind": "lhs", "samples": HUGE, "ranges": {"stressor_rate": [0, 1]}}),
        r"'design\.samples' = 1000.* is out of range",
    ),
    ("design-kind", cfg(design={"kind": "factorial"}), r"is not allowed"),
    # --- size -----------------------------------------------------------------------------------
    (
        "grid-1e9",
        cfg(
            control=...,
            design={
                "vary": {k: list(range(2, 1002)) for k in ("n_groups", "shock_start", "max_ties")}
            },
        ),
        r"plans 2,000,000,000 runs \(1,000,000,000 points .* more than the limit of 100,000; .* --max-runs 2000000000",
    ),
    (
        "sobol-big",
        cfg(
            control=...,
            design={
                "kind": "sobol",
                "samples": 2**22,
                "ranges": {"stressor_rate": [0, 1], "capacity_mean": [0, 1]},
            },
        ),
        r"plans 33,554,432 runs",
    ),
    (
        "morris-big",
        cfg(
            control=...,
            design={"kind": "morris", "samples": 9_000_000, "ranges": {"stressor_rate": [0, 1]}},
        ),
        r"plans 36,000,000 runs",
    ),
    ("reps-big", cfg(replications=100_000), r"plans 400,000 runs"),
    # --- top-level keys -------------------------------------------------------------------------
    ("seed-inf", cfg(seed=INF), r"'seed' = inf has the wrong type"),
    ("seed-huge", cfg(seed=HUGE), r"'seed' = 1000.* is out of range"),
    ("seed-neg", cfg(seed=-1), r"'seed' = -1 is out of range"),
    ("steps-huge", cfg(steps=HUGE), r"'steps' = 1000.* is out of range"),
    ("steps-nan", cfg(steps=NAN), r"'steps' = nan has the wrong type"),
    ("steps-zero", cfg(steps=0), r"is out of range"),
    ("steps-missing", cfg(steps=...), r"'steps' is missing"),
    ("seed-missing", cfg(seed=...), r"'seed' is missing"),
    ("name-missing", cfg(name=...), r"'name' is missing"),
    (
        "name-long",
        cfg(name="x" * 5000),
        r"'name' = \"x{10,}.*\(5000 characters\) is not allowed; .*at most 100",
    ),
    ("name-space", cfg(name="my exp"), r"is not allowed"),
    ("name-slash", cfg(name="../etc"), r"is not allowed"),
    ("name-dot", cfg(name=".hidden"), r"is not allowed"),
    ("reps-zero", cfg(replications=0), r"is out of range"),
    ("reps-float", cfg(replications=2.5), r"has the wrong type"),
    ("unknown-top", cfg(sed=3), r"unknown key 'sed'"),
    (
        "preset-unknown",
        cfg(preset="pandemic"),
        r"is not a preset \(did you mean 'pandemic_shock'\?\)",
    ),
    ("base-unknown", cfg(base__stresor_rate=0.1), r"did you mean 'stressor_rate'"),
    ("base-agent-every", cfg(base__agent_every=2), r"is set by the experiment"),
    ("base-table", cfg(base=[1, 2]), r"has the wrong type"),
    # --- output ---------------------------------------------------------------------------------
    ("every-huge", cfg(output={"every": HUGE}), r"'output\.every' = 1000.* is out of range"),
    ("every-zero", cfg(output={"every": 0}), r"is out of range"),
    ("persons-every-huge", cfg(output={"persons_every": HUGE}), r"is out of range"),
    ("window-huge", cfg(output={"outcome_window": HUGE}), r"is out of range"),
    ("window-long", cfg(output={"outcome_window": 13}), r"is longer than the run"),
    ("burn-in-long", cfg(output={"burn_in": 12}), r"leaves no panel windows"),
    (
        "measure-unknown",
        cfg(output={"measures": ["mean_stres"]}),
        r"is not a measure \(did you mean 'mean_stress'\?\)",
    ),
    ("outcome-unknown", cfg(output={"outcomes": ["happiness"]}), r"is not a measure"),
    ("measure-repeat", cfg(output={"measures": ["mean_stress", "mean_stress"]}), r"repeats a name"),
    # --- combinations -------------------------------------------------------------------------
    ("convoy-order", cfg(base__convoy_inner=9), r"inner <= sympathy <= wider"),
    ("wider-vs-people", cfg(base__n_people=8), r"must be smaller than n_people"),
    ("groups-vs-people", cfg(base__n_groups=100), r"more community groups than people"),
    ("file-without-path", cfg(base__network="file"), r"'network_file' is empty"),
    # --- memory -------------------------------------------------------------------------------
    (
        "memory-people",
        cfg(base={"n_people": 2_000_000}),
        r"would need about [\d.]+ GB of memory; this machine has",
    ),
    (
        "memory-er",
        cfg(base={"n_people": 1_000_000, "network": "erdos_renyi", "er_mean_degree": 1000}),
        r"about 75,000,000 ties .* would need about",
    ),
    (
        "memory-agent-every",
        cfg(steps=1_000_000, output={"persons_every": 1}, base={"n_people": 2000}),
        r"would need about",
    ),
    # --- interventions ------------------------------------------------------------------------
    ("iv-kind", cfg(interventions=[{"kind": "therapy"}]), r"is not an intervention"),
    ("iv-no-kind", cfg(interventions=[{"budget": 3}]), r"'interventions\[0\]\.kind' is missing"),
    ("iv-start-inf", with_iv(start=INF), r"'interventions\[0\]\.start' = inf is not allowed"),
    ("iv-start-huge", with_iv(start=HUGE), r"'interventions\[0\]\.start' = 1000.* is out of range"),
    ("iv-start-nan", with_iv(start=NAN), r"= nan is not allowed"),
    (
        "iv-budget-huge",
        with_iv(budget=1e11),
        r"'interventions\[0\]\.budget' = 100000000000\.0 is out of range",
    ),
    ("iv-budget-inf", with_iv(budget=INF), r"is not allowed"),
    ("iv-cost-zero", with_iv(cost=0), r"is out of range"),
    ("iv-setting", with_iv(caseloads=3), r"did you mean 'caseload'"),
    ("iv-matching", with_iv(matching="tailored"), r"is not allowed"),
    ("iv-targeting", with_iv(targeting="richest"), r"is not allowed"),
    ("iv-not-table", cfg(interventions=["professional"]), r"has the wrong type"),
    (
        "online-tie-strength",
        cfg(
            base={
                **TINY["base"],
                "end_threshold": 0.3,
                "family_floor": 0.5,
                "new_tie_strength": 0.5,
            },
            interventions=[{"kind": "online", "tie_strength": 0.2}],
            control={"set": {}},
        ),
        r"setting 'tie_strength' \(0\.2\) is not allowed with end_threshold=0\.3",
    ),
    (
        "peer-tie-strength",
        cfg(
            base={
                **TINY["base"],
                "end_threshold": 0.4,
                "family_floor": 0.5,
                "new_tie_strength": 0.5,
            },
            interventions=[{"kind": "peer_groups", "tie_strength": 0.35}],
            control={"set": {}},
        ),
        r"setting 'tie_strength' \(0\.35\) is not allowed",
    ),
    (
        "online-tie-strength-by-point",
        cfg(
            design={"vary": {"end_threshold": [0.05, 0.3]}},
            interventions=[{"kind": "online", "tie_strength": 0.2}],
            control={"set": {}},
        ),
        r"design point 1 \(end_threshold = 0\.3\).*not allowed with end_threshold=0\.3",
    ),
    (
        "iv-field-vs-point",
        cfg(
            design={"vary": {"online.tie_strength": [0.3, 0.02]}},
            interventions=[{"kind": "online"}],
            control={"set": {}},
        ),
        r"design point 1 .* not allowed with end_threshold",
    ),
    # --- arms and control -----------------------------------------------------------------------
    (
        "arm-name-long",
        cfg(arms=[{"name": "a" * 300}, {"name": "b"}], control={"arm": "b"}),
        r"at most 100",
    ),
    ("arm-name-repeat", cfg(arms=[{"name": "a"}, {"name": "a"}]), r"is used by another arm"),
    ("arm-missing-name", cfg(arms=[{"label": "x"}]), r"'arms\[0\]\.name' is missing"),
    (
        "control-arm-unknown",
        cfg(arms=[{"name": "a"}, {"name": "b"}], control={"arm": "c"}),
        r"is not an arm",
    ),
    ("control-where-value", cfg(control={"where": {"buffering": "no"}}), r"is not allowed"),
    ("control-where-unknown", cfg(control={"where": {"stressor": 0.1}}), r"unknown key"),
    ("control-identical", cfg(control={"set": {}}), r"is identical to the treatment"),
    (
        "ratios-no-control",
        cfg(
            control=...,
            ratios=[
                {"label": "r", "numerator": "a", "denominator": "b", "outcome": "mean_depression"}
            ],
        ),
        r"needs a control arm",
    ),
]


@pytest.mark.parametrize(("data", "pattern"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_each_malformed_config_is_refused_with_one_clear_line(data, pattern, tmp_path, monkeypatch):
    # Memory refusals are checked against an 8 GB machine (the issue's), whatever this one has:
    # on a large machine the biggest town of the memory cases fits, and would not be refused.
    monkeypatch.setattr(resources, "machine_memory", lambda: 8_000_000_000)
    with pytest.raises(ConfigError) as info:
        parse_config(data, source="exp.toml")
    problems = info.value.problems
    assert all("\n" not in p for p in problems), problems
    assert any(re.search(pattern, p) for p in problems), problems


def test_the_corpus_is_large_enough():
    assert len(REFUSED) + len(WARNED) >= 100
    assert len(CLI_CASES) >= 40


# (id, config, pattern of the warning): allowed, but they do nothing; validation says so.
WARNED = [
    (
        "iv-after-end",
        cfg(
            interventions=[{"kind": "outreach", "start": 50}], control={"label": "none", "set": {}}
        ),
        r"starts at step 50, after the run ends \(steps = 12\): it never acts",
    ),
    ("every-long", cfg(output={"every": 40}), r"'output\.every' = 40 is longer than the run"),
    (
        "persons-every-long",
        cfg(output={"persons_every": 40}),
        r"'output\.persons_every' = 40 is longer",
    ),
    (
        "outcome-not-kept",
        cfg(output={"measures": ["mean_stress"], "outcomes": ["mean_stress", "mean_depression"]}),
        r"outcomes mean_depression are not among 'output\.measures'",
    ),
]


@pytest.mark.parametrize(("data", "pattern"), [c[1:] for c in WARNED], ids=[c[0] for c in WARNED])
def test_options_that_do_nothing_are_warned_about(data, pattern):
    config = parse_config(data, source="exp.toml")
    assert any(re.search(pattern, w) for w in config.warnings), config.warnings


def test_a_limit_can_be_raised_for_a_big_design():
    data = cfg(replications=20_000)  # 80,000 runs: under the default limit
    assert parse_config(data).replications == 20_000
    with pytest.raises(ConfigError, match="more than the limit of 1,000"):
        parse_config(data, max_runs=1_000)


BAD_NET = b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n"


def _files(tmp_path):
    (tmp_path / "random.graphml").write_bytes(BAD_NET * 10)
    (tmp_path / "random.txt").write_bytes(BAD_NET * 10)
    (tmp_path / "random.csv").write_bytes(b"a,b,c\n1,2\n" + BAD_NET)
    (tmp_path / "one.txt").write_text("a a\n")
    (tmp_path / "good.txt").write_text("a b\nb c\nc d\nd a\n")
    (tmp_path / "cfg.toml").write_text("name = 'x'\nseed = 1\nsteps = 5\n")
    (tmp_path / "bad.toml").write_text("name = 'x'\nseed = \n")
    (tmp_path / "inf.toml").write_text(
        "name = 'x'\nseed = 1\nsteps = 5\n[base]\nstressor_rate = inf\n"
    )
    (tmp_path / "nan.toml").write_text("name = 'x'\nseed = 1\nsteps = 5\n[base]\nn_people = nan\n")
    (tmp_path / "huge.toml").write_text(
        f"name = 'x'\nseed = 1\nsteps = 5\n[base]\nn_people = {HUGE}\n"
    )
    (tmp_path / "bigrid.toml").write_text(
        "name = 'x'\nseed = 1\nsteps = 5\n[design.vary]\n"
        + "\n".join(
            f"{k} = {list(range(2, 60))}"
            for k in ("n_groups", "shock_start", "max_ties", "convoy_inner")
        )
        + "\n"
    )
    (tmp_path / "filenet.toml").write_text(
        "name = 'x'\nseed = 1\nsteps = 5\n[base]\nnetwork = 'file'\nnetwork_file = 'random.graphml'\n"
    )
    (tmp_path / "filefile").write_text("x")
    (tmp_path / "long.toml").write_text(f"name = '{'n' * 5000}'\nseed = 1\nsteps = 5\n")


S = "supportnet {}: error: "
# (id, argv, pattern): each ends with exit status 2 and one line on stderr.
CLI_CASES = [
    (
        "set-inf",
        ["run", "--set", "stressor_rate=inf"],
        r"parameter 'stressor_rate': inf is not allowed",
    ),
    ("set-nan", ["run", "--set", "stressor_rate=nan"], r"nan is not allowed"),
    (
        "set-int-inf",
        ["run", "--set", "n_people=inf"],
        r"parameter 'n_people': 'inf' is not allowed",
    ),
    ("set-int-nan", ["run", "--set", "n_people=nan"], r"'nan' is not allowed"),
    ("set-huge", ["run", "--set", f"n_people={HUGE}"], r"\(401 characters\) is out of range"),
    (
        "set-huge-float",
        ["run", "--set", f"stressor_rate={HUGE}"],
        r"is out of range|is not allowed",
    ),
    ("set-1e400", ["run", "--set", "stressor_rate=1e400"], r"inf is not allowed"),
    ("set-neg", ["run", "--set", "n_people=-5"], r"-5 is out of range"),
    ("set-no-eq", ["run", "--set", "n_people"], r"expected NAME=VALUE"),
    ("set-unknown", ["run", "--set", "stresor_rate=0.1"], r"did you mean 'stressor_rate'"),
    ("set-bool", ["run", "--set", "buffering=maybe"], r"expected true or false"),
    ("set-choice", ["run", "--set", "network=star"], r"is not allowed"),
    ("set-memory", ["run", "--set", "n_people=2000000"], r"would need about [\d.]+ GB of memory"),
    ("set-combo", ["run", "--set", "n_people=10"], r"must be smaller than n_people"),
    (
        "iv-start-inf",
        ["run", "--intervention", "professional:start=inf"],
        r"setting 'start': 'inf' is not allowed",
    ),
    (
        "iv-start-huge",
        ["run", "--intervention", f"professional:start={HUGE}"],
        r"setting 'start': .* is out of range",
    ),
    (
        "iv-budget-inf",
        ["run", "--intervention", "professional:budget=inf"],
        r"setting 'budget': inf is not allowed",
    ),
    ("iv-budget-nan", ["run", "--intervention", "outreach:budget=nan"], r"nan is not allowed"),
    ("iv-budget-1e11", ["run", "--intervention", "professional:budget=1e11"], r"is out of range"),
    (
        "iv-kind",
        ["run", "--intervention", "therapy:budget=3"],
        r"unknown intervention kind 'therapy'",
    ),
    (
        "iv-setting",
        ["run", "--intervention", "professional:caseloads=3"],
        r"did you mean 'caseload'",
    ),
    ("iv-no-eq", ["run", "--intervention", "professional:budget"], r"is not a setting"),
    ("iv-twice", ["run", "--intervention", "outreach:budget=1,budget=2"], r"is given twice"),
    (
        "iv-online-strength",
        ["run", "--set", "end_threshold=0.3", "--intervention", "online:tie_strength=0.2"],
        r"not allowed with end_threshold=0\.3",
    ),
    (
        "run-network-random",
        ["run", "--network", "{tmp}/random.graphml"],
        r"cannot be read as graphml",
    ),
    ("run-network-missing", ["run", "--network", "{tmp}/none.txt"], r"does not exist"),
    ("run-network-loops", ["run", "--network", "{tmp}/one.txt"], r"fewer than two people"),
    ("run-out-ext", ["run", "--out", "{tmp}/out.xlsx"], r"allowed: \.csv"),
    ("run-out-under-file", ["run", "--out", "{tmp}/filefile/x.csv"], r"is a file, not a folder"),
    ("run-out-folder", ["run", "--out", "{tmp}"], r"extension|is a folder"),
    ("run-preset", ["run", "--preset", "pandemic"], r"did you mean 'pandemic_shock'"),
    ("validate-missing", ["validate", "{tmp}/none.toml"], r"no such config file"),
    ("validate-toml", ["validate", "{tmp}/bad.toml"], r"not valid TOML"),
    ("validate-inf", ["validate", "{tmp}/inf.toml"], r"'base\.stressor_rate' = inf is not allowed"),
    ("validate-nan", ["validate", "{tmp}/nan.toml"], r"'base\.n_people' = nan is not allowed"),
    (
        "validate-huge",
        ["validate", "{tmp}/huge.toml"],
        r"'base\.n_people' = .*\(401 characters\) is out of range",
    ),
    (
        "validate-big-grid",
        ["validate", "{tmp}/bigrid.toml"],
        r"plans 11,316,496 runs .* --max-runs 11316496",
    ),
    (
        "validate-max-runs",
        ["validate", "{tmp}/cfg.toml", "--max-runs", "0"],
        r"--max-runs: 0 is not allowed",
    ),
    (
        "validate-netfile",
        ["validate", "{tmp}/filenet.toml"],
        r"'base\.network_file' = \"random\.graphml\": network file .* cannot be read",
    ),
    ("validate-long-name", ["validate", "{tmp}/long.toml"], r"\(5000 characters\) is not allowed"),
    ("validate-folder", ["validate", "{tmp}"], r"is a folder"),
    (
        "sweep-scheduler-url",
        ["sweep", "{tmp}/cfg.toml", "--scheduler", "notaurl"],
        r"'notaurl' is not a scheduler address",
    ),
    (
        "sweep-scheduler-port",
        ["sweep", "{tmp}/cfg.toml", "--scheduler", "tcp://host:99999"],
        r"is not a scheduler address",
    ),
    (
        "sweep-scheduler-unreachable",
        ["sweep", "{tmp}/cfg.toml", "--out", "{tmp}/o1", "--scheduler", "tcp://127.0.0.1:9"],
        r"cannot reach the Dask scheduler",
    ),
    (
        "sweep-both",
        ["sweep", "{tmp}/cfg.toml", "--scheduler", "tcp://h:1", "--dask-local", "2"],
        r"are alternatives",
    ),
    ("sweep-big-grid", ["sweep", "{tmp}/bigrid.toml"], r"more than the limit of 100,000"),
    (
        "sweep-out-file",
        ["sweep", "{tmp}/cfg.toml", "--out", "{tmp}/filefile"],
        r"is not a SupportNet results folder|not a folder|cannot write",
    ),
    ("sweep-netfile", ["sweep", "{tmp}/filenet.toml"], r"cannot be read as graphml"),
    (
        "sweep-workers-memory",
        ["sweep", "{tmp}/cfg.toml", "--out", "{tmp}/o2", "--workers", "200"],
        r"200 runs at once would need about .* use --workers \d+ or fewer",
    ),
    ("report-missing", ["report", "{tmp}/none"], r"no such folder"),
    ("report-not-results", ["report", "{tmp}"], r"not a results folder"),
]


@pytest.mark.parametrize(
    ("argv", "pattern"), [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES]
)
def test_each_malformed_command_line_is_one_line(argv, pattern, tmp_path, capsys, monkeypatch):
    _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    # Memory refusals are checked against an 8 GB machine (the issue's), whatever this one has:
    # on a large machine the biggest allowed town fits, and the case would run it.
    monkeypatch.setattr(resources, "machine_memory", lambda: 8_000_000_000)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors (usage line, then the error)
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in err and "Traceback" not in out
    last = err.strip().splitlines()[-1]
    assert re.search(pattern, last), err
    if "usage:" not in err:
        assert err.count("\n") == 1, err
        assert last.startswith(S.format(argv[0])), err
