"""``vaxpass inspect``: every layer of a passport, decoded but NOT verified."""

from __future__ import annotations

import json
from typing import Any

import click

from vaxpass_core.errors import QRNotFound

from ._common import EXIT_INVALID, EXIT_VALID, echo_json, finish, jsonable
from ._sources import read_passport_input
from .inspection import Layer, inspect_text


def _layer_json(layer: Layer) -> dict[str, Any]:
    """``{"layer": name, **fields}``, the documented shape (fields are this module's names)."""
    return {"layer": layer.name, **jsonable(layer.fields)}


def _show(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(jsonable(value), ensure_ascii=False)
    return str(value)


@click.command()
@click.argument("source", metavar="TEXT|FILE|-")
@click.option("--json", "as_json", is_flag=True, help="Print the layers as JSON.")
def inspect(source: str, as_json: bool) -> None:
    """Decode a passport WITHOUT verifying it and show every layer: prefix, Base45, zlib,
    COSE headers, CWT claims, the DCC and the facility attestation.

    Exit 0 when every layer decodes, 1 when one does not (shown with its failure code).
    """
    error: tuple[str, str, str] | None
    layers: tuple[Layer, ...] = ()
    try:
        text, where = read_passport_input(source)
    except QRNotFound as exc:
        where, error = source, ("picture", str(exc.code), exc.message)
    else:
        found = inspect_text(text)
        error, layers = found.error, found.layers
    if as_json:
        err = None if error is None else dict(zip(("layer", "code", "message"), error, strict=True))
        shown = [_layer_json(layer) for layer in layers]
        echo_json({"source": where, "ok": error is None, "layers": shown, "error": err})
    else:
        for layer in layers:
            click.secho(layer.name.upper(), bold=True)
            if layer.name == "dcc":
                click.echo(json.dumps(jsonable(layer.fields["dcc"]), ensure_ascii=False, indent=2))
                continue
            for key, value in layer.fields.items():
                click.echo(f"  {key:<18} {_show(value)}")
        if error is not None:
            name, code, message = error
            click.echo(click.style(f"stopped at {name}: [{code}] {message}", fg="red"))
    finish(EXIT_VALID if error is None else EXIT_INVALID)
