"""``retrigger backtest``: replay the trigger policy over the history, and what-if thresholds.

Thin: parse the options, call ``retrigger.commands.backtest``, render.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retrigger.cli import render
from retrigger.cli.options import ConfigOption, JsonOption
from retrigger.errors import BadInput, WorkFailed

if TYPE_CHECKING:
    from retrigger.backtest.replay import Replay
    from retrigger.backtest.walk import Span
    from retrigger.commands.backtest import BacktestResult

SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="Replay the commits of this last period (90d, 12w, 36h)."),
]
FromOption = Annotated[
    str | None,
    typer.Option("--from", help="Replay from this git revision on (instead of --since)."),
]
ToOption = Annotated[str, typer.Option("--to", help="Replay up to this git revision.")]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="What-if: replay with this config key changed (dotted, YAML value); repeatable.",
    ),
]
CompareOption = Annotated[
    bool, typer.Option("--compare", help="Show the configured and the --set policy side by side.")
]
CostOption = Annotated[
    bool,
    typer.Option(
        "--cost",
        help="Price the replayed retrains and staleness (backtest.cost) against the Oracle.",
    ),
]
TuneOption = Annotated[
    bool,
    typer.Option(
        "--tune",
        help="Search the policy's thresholds for the least cost (backtest.cost) on the first "
        "part of the history, and score the choice on the rest only.",
    ),
]
TuneSplitOption = Annotated[
    float,
    typer.Option("--tune-split", help="With --tune: the share of the periods to tune on."),
]
TrainOption = Annotated[
    bool,
    typer.Option(
        "--train",
        help="Train the model of each period in a scratch clone (cached by its inputs) and "
        "score it on every later period: the evaluation matrix --cost prices.",
    ),
]
EveryOption = Annotated[
    str | None,
    typer.Option(
        "--every",
        help="The interval between checks for the drift false alarms a year "
        "(default: the history's median interval, else 7d); with --train, the periods.",
    ),
]
HtmlOption = Annotated[
    Path | None,
    typer.Option(
        "--html", help="Write a self-contained HTML page: a timeline per signal.", dir_okay=False
    ),
]
PngOption = Annotated[
    Path | None,
    typer.Option(
        "--png", help="Write the timelines as a PNG (for Slack or a PR comment).", dir_okay=False
    ),
]
SlackOption = Annotated[
    bool,
    typer.Option(
        "--slack",
        help="Post a summary to slack.channel and upload the HTML (and PNG) report into its "
        "thread (needs SLACK_BOT_TOKEN).",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("backtest")(backtest)


def backtest(
    since: SinceOption = None,
    from_rev: FromOption = None,
    to_rev: ToOption = "HEAD",
    set_values: SetOption = None,
    compare: CompareOption = False,
    cost: CostOption = False,
    train: TrainOption = False,
    json_output: JsonOption = False,
    html: HtmlOption = None,
    png: PngOption = None,
    slack: SlackOption = False,
    every: EveryOption = None,
    tune: TuneOption = False,
    tune_split: TuneSplitOption = 0.5,
    config: ConfigOption = None,
) -> None:
    """Replay the policy over the commits that changed the data or the metrics file.

    Read-only: nothing is stored or retrained (--train trains in scratch clones and keeps its
    models and matrix under .retrigger/backtest/ only). Exit 0 with the replay in the output;
    exit 1 when --slack could not post (after the report files are written and the table printed).
    """
    from retrigger.commands import backtest as command

    if since is not None and from_rev is not None:
        raise BadInput("give --since or --from, not both")
    span = command.Span(since=command.parse_since(since), from_rev=from_rev, to_rev=to_rev)
    if tune:
        pages = compare or html is not None or png is not None or slack
        _tune(config, span, set_values or [], tune_split, json_output, pages, train)
        return
    token = command.slack_token() if slack else None
    cadence = command.parse_every(every)
    result = command.backtest(
        config,
        span,
        set_values or [],
        compare,
        priced=cost,
        every=cadence,
        train=train,
        say=_progress,
    )
    command.write_outputs(result, html, png)
    if json_output:
        render.print_document("backtest", result.as_json())
    else:
        show(result)
    if token is not None:
        _post(result, token, html, png, json_output)


def _tune(
    config: Path | None,
    span: Span,
    sets: list[str],
    split: float,
    json_output: bool,
    pages: bool,
    train: bool,
) -> None:
    from retrigger.commands.backtest_tune import tune_backtest

    if pages:
        raise BadInput("--tune prints its own report: drop --compare, --html, --png and --slack")
    result = tune_backtest(config, span, sets, split, train=train, say=_progress)
    if json_output:
        render.print_document("backtest", {"tune": result.as_json()})
        return
    for number, line in enumerate(result.lines()):
        render.line(line, style="bold" if number == 2 else None)
    if result.diff:
        render.line("the config that would have cost least on the tuning periods:")
        for line in result.diff:
            render.line(line)


def _post(
    result: BacktestResult, token: str, html: Path | None, png: Path | None, json_output: bool
) -> None:
    from retrigger.commands import backtest as command

    try:
        posted = command.post_to_slack(result, token, html, png)
    except command.SlackPostFailed as exc:
        # Exit 1 after the files and the table: a scheduled `--slack` job that posted nothing
        # must fail where its scheduler can see it (rerunning the command is the retry).
        raise WorkFailed(f"the backtest was not posted to Slack: {exc}") from None
    if not json_output:
        render.note(
            f"posted to Slack {posted.channel_id} (ts {posted.ts}), "
            f"in its thread: {', '.join(posted.files)}"
        )


def _progress(text: str) -> None:
    typer.echo(text, err=True)  # stdout is the report (--json: one document)


def show(result: BacktestResult) -> None:
    if result.trained is not None:
        render.line(result.trained.summary())
        if len(result.trained.periods) <= 12:  # a longer one reads better from matrix.json
            for line in result.trained.table():
                render.line(line)
    if result.priced is not None:
        render.line(result.priced.regret_line(), style="bold")
        for note in result.priced.notes:
            render.line(f"cost: {note}")
    if result.configured is not None:
        _table(result.configured, "configured policy")
        _table(result.replay, "what-if " + _sets(result))
        _compare(result)
    else:
        title = "what-if " + _sets(result) if result.sets else "configured policy"
        _table(result.replay, title)
        _summary(result.replay, "")
    if result.false_alarms is not None:
        found = result.false_alarms
        render.line(
            f"drift false alarms: unknown: {found}" if isinstance(found, str) else found.words()
        )
    for line in result.estimator.words() if result.estimator is not None else []:
        render.line(line)
    for limit in result.limits():
        render.line(f"limit: {limit}")


def _sets(result: BacktestResult) -> str:
    return ", ".join(f"{key}={value}" for key, value in result.sets.items())


def _table(replay: Replay, title: str) -> None:
    kinds = [r.kind for r in replay.results[0].readings] if replay.results else []
    rows = []
    for result in replay.results:
        point = result.point
        cells = [
            f"{render.number(r.value)} / {render.number(r.threshold)}" + (" *" if r.fired else "")
            for r in result.readings
        ]
        verdict = result.outcome + (
            f" ({result.verdict.held_by})" if result.verdict.held_by else ""
        )
        real = ", ".join(r.run_id[:8] for r in result.real_retrains)
        rows.append(
            [
                f"{point.commit.time:%Y-%m-%d %H:%M}",
                point.commit.sha[:8],
                (point.data_version or "—")[:8],
                *cells,
                verdict,
                real,
            ]
        )
    render.table(
        f"backtest: {title} (value / threshold, * fired)",
        ["time", "commit", "data", *kinds, "verdict", "real retrain"],
        rows,
    )


def _summary(replay: Replay, label: str) -> None:
    held = ", ".join(f"{n} by {k}" for k, n in replay.held.items()) or "none"
    render.line(
        f"{label}{replay.retrains} replayed retrains, held: {held}, quiet: "
        f"{replay.quiet}; real retrains in the period: {len(replay.real)}",
        style="bold",
    )


def _compare(result: BacktestResult) -> None:
    assert result.configured is not None
    _summary(result.configured, "configured: ")
    _summary(result.replay, "what-if:    ")
    for diff in result.differences:
        render.line(f"differs at {diff.time} {diff.commit[:8]}: {diff.configured} → {diff.what_if}")
    if not result.differences:
        render.line("the two policies agree at every point")
