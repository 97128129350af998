"""The shell: what touches files and processes.

:mod:`~vaxpass_core.shell.bulk` issues passports for a file of records on every core,
resumably; :mod:`~vaxpass_core.shell.record_json` reads and writes records as JSON objects.
The command line (:mod:`vaxpass_core.cli`) is the other part of the shell. The pure core
(everything the package exports) reads no file, network or clock.
"""
