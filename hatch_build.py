"""Build hook: bundle copier.yml next to the template inside the wheel.

Hatch's `sources` rewrite directories only, so this one file is added here. Editable installs
are left alone: they run from the repository, where copier.yml already sits at the root.
"""

from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class BundleCopierConfig(BuildHookInterface[BuilderConfig]):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "standard":
            build_data["force_include"]["copier.yml"] = "authgen/_template/copier.yml"
