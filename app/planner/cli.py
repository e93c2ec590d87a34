"""``opsplan eval-planner CORPUS [--fleet FILE]`` (the lead wires ``eval_planner_command`` into app.cli)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from app.planner.evaluate import evaluate, load_corpus
from app.planner.vocabulary import Vocabulary

DEFAULT_FLEET = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "planner_fleet.yml"


def eval_planner(corpus_path: str, fleet_path: str | None = None, *, verbose: bool = False, use_env: bool = False):
    """Run the planner over a corpus; print accuracy and the unsafe count; return the EvalResult."""
    from dataclasses import replace

    from app.config import Settings
    from app.services.planning import plan_text

    vocab = Vocabulary.from_fleet_yaml(fleet_path or DEFAULT_FLEET)
    settings = Settings.from_env()
    if not use_env:  # the rule planner, whatever the environment configures
        settings = replace(settings, openai_api_key=None, openai_base_url=None)
    result = evaluate(load_corpus(corpus_path), vocab, lambda text, v: plan_text(text, settings, v))
    if verbose:
        for f in result.failures:
            click.echo(json.dumps(f), err=True)
    click.echo(f"corpus: {corpus_path}")
    click.echo(f"requests: {result.total}")
    click.echo(f"accuracy: {result.accuracy:.3f} ({result.correct}/{result.total})")
    click.echo(f"unsafe: {result.unsafe}")
    for failure in result.failures:  # listed on their own, whatever --verbose says: they must be zero
        if failure["unsafe"]:
            steps = ", ".join(f"{st['action']} {json.dumps(st['params'])}" for st in failure["got"]["steps"])
            click.echo(f"UNSAFE: {failure['request']!r} -> {steps} on {', '.join(failure['got']['hosts'])}",
                       err=True)
    return result


@click.command("eval-planner")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--fleet", type=click.Path(exists=True, dir_okay=False), default=None,
              help="fleet YAML (CONTRACT section 3); default: tests/fixtures/planner_fleet.yml")
@click.option("--verbose", "-v", is_flag=True, help="print every miss (JSON, on stderr)")
@click.option("--use-env", is_flag=True, help="use the planner the environment selects (LLM when configured)")
def eval_planner_command(corpus: str, fleet: str | None, verbose: bool, use_env: bool) -> None:
    """Print the planner's accuracy and unsafe-plan count on a labelled corpus."""
    result = eval_planner(corpus, fleet, verbose=verbose, use_env=use_env)
    if result.unsafe:
        raise SystemExit(1)
