"""Every ```python block of the README runs, in order, in one namespace, against the
installed package: the README cannot drift from the API."""

from __future__ import annotations

import re

from conftest import ROOT

BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_readme_python_blocks_run() -> None:
    blocks = BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 3
    namespace: dict[str, object] = {"__name__": "readme"}
    for i, code in enumerate(blocks, 1):
        exec(compile(code, f"README.md python block {i}", "exec"), namespace)
