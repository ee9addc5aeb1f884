"""Build hook: what the wheel carries besides the code and the template.

- copier.yml, next to the template (hatch's `sources` rewrite directories only);
- CHANGELOG.md, which `authgen update --check` quotes;
- the template of every earlier release, one tar file per tag vX.Y.Z older than this version
  (`git archive` of copier.yml and template/), so that an installed authgen can reproduce the
  template a project was rendered from and update it offline. A build outside a git checkout
  (from an sdist) has no tags and carries only its own template.

Editable installs are left alone: they run from the repository, where all of it already is.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

RELEASE_TAG = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


class BundleCopierConfig(BuildHookInterface[BuilderConfig]):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version != "standard":
            return
        force_include = build_data["force_include"]
        force_include["copier.yml"] = "authgen/_template/copier.yml"
        force_include["CHANGELOG.md"] = "authgen/CHANGELOG.md"
        root = Path(self.root)
        current = _numbers(self.metadata.version)
        self._archives = Path(tempfile.mkdtemp(prefix="authgen-releases-"))
        for tag in self._tags(root):
            if _numbers(tag) >= current:
                continue
            target = self._archives / f"{tag}.tar"
            with target.open("wb") as file:
                subprocess.run(
                    ["git", "-C", str(root), "archive", "--format=tar", tag, "--",
                     "copier.yml", "template"],
                    stdout=file, check=True,
                )  # fmt: skip
            force_include[str(target)] = f"authgen/_releases/{tag}.tar"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        archives = getattr(self, "_archives", None)
        if archives is not None:
            shutil.rmtree(archives, ignore_errors=True)

    @staticmethod
    def _tags(root: Path) -> list[str]:
        try:
            listed = subprocess.run(
                ["git", "-C", str(root), "tag", "--list", "v*"],
                capture_output=True, text=True, check=True,
            ).stdout.split()  # fmt: skip
        except (OSError, subprocess.CalledProcessError):
            return []  # not a git checkout: an sdist build carries only this version
        return [tag for tag in listed if RELEASE_TAG.fullmatch(tag)]
