"""The shell: what touches files and processes.

:mod:`~vaxpass_core.shell.bulk` issues passports for a file of records on every core,
resumably; :mod:`~vaxpass_core.shell.record_json` reads and writes records as JSON objects;
:mod:`~vaxpass_core.shell.devpki` mints a development PKI (seeded, deterministic; test keys
only) for demos and pilots, :mod:`~vaxpass_core.shell.vectors` the reference test vectors,
and :mod:`~vaxpass_core.shell.demo` the sample citizen the demo shows. The command line
(:mod:`vaxpass_core.cli`) is the other part of the shell; the test kit
(:mod:`vaxpass_core.testing`) re-uses these. The pure core (everything the package exports)
reads no file, network or clock.
"""
