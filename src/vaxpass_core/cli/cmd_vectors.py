"""``vaxpass vectors DIR``: reference test vectors in the dgc-testdata layout.

The vectors come from ``vaxpass_core.shell.vectors.generate(seed)``, which yields
``(relative path, JSON object)`` pairs; this command only writes them.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import click

from ._common import EXIT_VALID, InputError, echo_json, finish, require_empty_dir


def _target(root: Path, relative: str) -> Path:
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise InputError(f"the vector generator gave an unsafe path: {relative!r}")
    return root.joinpath(*path.parts)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--force", is_flag=True, help="Write into a directory that is not empty.")
@click.option("--json", "as_json", is_flag=True, help="Print the count and files as JSON.")
def vectors(directory: Path, seed: int, force: bool, as_json: bool) -> None:
    """Write reference test vectors (dgc-testdata layout) to DIRECTORY."""
    require_empty_dir(directory, force=force)
    # Loaded only here: the other commands need none of it.
    from vaxpass_core.shell import vectors as generator  # noqa: PLC0415

    written: list[str] = []
    try:
        for relative, content in generator.generate(seed):
            target = _target(directory, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(generator.dumps(content))  # the generator's own exact bytes
            written.append(relative)
    except OSError as exc:
        raise InputError(f"cannot write {directory}: {exc.strerror or exc}") from exc
    if as_json:
        echo_json({"directory": str(directory), "seed": seed, "count": len(written)})
    else:
        click.echo(f"{len(written)} test vectors written to {directory} (seed {seed})")
    finish(EXIT_VALID)
