"""Accessibility checks for the browser tests: axe-core on a page, and focus moved by the keyboard.

    check_accessibility(page, "login (dark)")   # fails on any axe-core violation
    visited = tab_to(page, page.get_by_role("link", name="Account"))

axe-core comes from the npm registry, installed once (`npm install --prefix DIR axe-core@VERSION`)
into DIR = $AUTHGEN_AXE_DIR/axe-core-VERSION, $AUTHGEN_AXE_DIR being by default
($XDG_CACHE_HOME or ~/.cache)/authgen-tests. `axe_script()` raises AxeUnavailable when it is not
there and npm is not installed. The script is evaluated in the page through Playwright (the
DevTools protocol), which the pages' CSP does not govern, and it runs in contexts with JavaScript
turned off too (see RUN_AXE).
"""

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

AXE_VERSION = "4.14.1"  # pinned: a newer axe-core can bring new rules, so bump it on purpose

# Violations reported to the template's owner and tolerated until fixed: (rule id, target
# selector) -> where it was reported. Keep it empty unless a violation is listed in a report.
KNOWN_ISSUES: dict[tuple[str, str], str] = {}


class AxeUnavailable(Exception):
    """axe-core is not installed and npm is not there to install it."""


def axe_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "authgen-tests"
    return Path(os.environ.get("AUTHGEN_AXE_DIR") or default) / f"axe-core-{AXE_VERSION}"


@functools.cache
def axe_script() -> str:
    """axe-core's source, installed from npm into axe_dir() the first time."""
    home = axe_dir()
    script = home / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise AxeUnavailable(
                f"needs axe-core {AXE_VERSION} at {script}, and npm to install it there: "
                "apt-get install -y npm"
            )
        home.parent.mkdir(parents=True, exist_ok=True)
        # Installed next to its place and moved there whole: an interrupted install leaves no
        # half of it where the next run would take it.
        with tempfile.TemporaryDirectory(dir=home.parent, prefix=".installing-") as staging:
            args = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", staging]
            result = subprocess.run(
                [*args, f"axe-core@{AXE_VERSION}"],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert result.returncode == 0, (
                f"npm could not install axe-core {AXE_VERSION}:\n{result.stdout}\n{result.stderr}"
            )
            if not script.is_file():  # else another run installed it meanwhile
                shutil.rmtree(home, ignore_errors=True)
                Path(staging).rename(home)
                Path(staging).mkdir()  # for TemporaryDirectory's own clean-up
    return script.read_text(encoding="utf-8")


# In a context with JavaScript off, code that Playwright evaluates still runs and its promises
# resolve, but no timer, microtask queued with queueMicrotask, or MutationObserver callback ever
# fires. axe-core yields between its rules with setTimeout(fn, 0): while it runs, such timers
# become promise callbacks. Its timers with a delay only guard against iframes that never answer
# (these pages have none); they are dropped.
RUN_AXE = """async () => {
  const timers = [window.setTimeout, window.clearTimeout];
  const cancelled = new Set();
  let next = 0;
  window.setTimeout = (callback, delay, ...args) => {
    next += 1;
    const id = next;
    if (!delay) {
      Promise.resolve().then(() => cancelled.has(id) || callback(...args));
    }
    return id;
  };
  window.clearTimeout = (id) => cancelled.add(id);
  try {
    const results = await axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      helpUrl: violation.helpUrl,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String).join(" "),
        html: node.html,
        summary: node.failureSummary,
      })),
    }));
  } finally {
    [window.setTimeout, window.clearTimeout] = timers;
  }
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """What axe-core finds wrong on the page as it is now (all of its rules on by default)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(f"{axe_script()}\n;undefined")
    # No colour transition caught half-way (a hovered link) by the contrast rule.
    page.emulate_media(reduced_motion="reduce")
    return page.evaluate(RUN_AXE)


def describe(violation: dict[str, Any]) -> str:
    lines = [
        f"  {violation['id']} [{violation['impact']}] {violation['help']}",
        f"    {violation['helpUrl']}",
    ]
    for node in violation["nodes"]:
        lines.append(f"    - {node['target']}: {node['html']}")
        lines.extend(f"        {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def check_accessibility(page: Any, state_name: str) -> None:
    """Fail the test on any axe-core violation on the page, naming each rule and element."""
    found = []
    for violation in axe_violations(page):
        nodes = [
            node
            for node in violation["nodes"]
            if (violation["id"], node["target"]) not in KNOWN_ISSUES
        ]
        if nodes:
            found.append({**violation, "nodes": nodes})
    if found:
        report = "\n".join(describe(violation) for violation in found)
        pytest.fail(
            f"axe-core {AXE_VERSION}: {len(found)} violation(s) on {state_name!r} ({page.url}):\n"
            f"{report}",
            pytrace=False,
        )


# Focus moved with the keyboard.

# Every element that can take focus with Tab, in the document's order (which is the Tab order
# where no positive tabindex reorders it), and what the focused one looks like.
FOCUS_STATE = """() => {
  const selector = "a[href], area[href], button, input, select, textarea, summary, iframe, "
    + "[tabindex], [contenteditable]";
  const focusable = [...document.querySelectorAll(selector)].filter((element) =>
    element.tabIndex >= 0 && !element.disabled && element.type !== "hidden"
    && element.checkVisibility({ visibilityProperty: true }));
  const focused = document.activeElement;
  if (!focused || focused === document.body) {
    return { index: -1, count: focusable.length, name: "(nothing)" };
  }
  const style = getComputedStyle(focused);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && style.outlineColor !== "rgba(0, 0, 0, 0)" && style.outlineColor !== "transparent";
  const rect = focused.getBoundingClientRect();
  const label = (focused.labels && focused.labels[0]?.innerText)
    || focused.getAttribute("aria-label") || focused.innerText || focused.value || "";
  return {
    index: focusable.indexOf(focused),
    count: focusable.length,
    name: `${focused.tagName.toLowerCase()} "${label.trim().replace(/\\s+/g, " ")}"`,
    indicator: outline || style.boxShadow !== "none",
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    boxShadow: style.boxShadow,
    inViewport: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
      && rect.top < innerHeight && rect.left < innerWidth,
  };
}"""


def focus_state(page: Any) -> dict[str, Any]:
    return page.evaluate(FOCUS_STATE)


def assert_focus_visible(page: Any) -> dict[str, Any]:
    """The focused element shows that it has focus (an outline or a box-shadow), on screen."""
    state = focus_state(page)
    assert state["index"] >= 0, f"focus is on nothing that Tab reaches: {state['name']}"
    assert state["indicator"], (
        f"{state['name']} has focus but shows no focus indicator "
        f"(outline {state['outline']}, box-shadow {state['boxShadow']})"
    )
    assert state["inViewport"], f"{state['name']} has focus but is outside the viewport"
    return state


def tab_to(page: Any, target: Any) -> list[str]:
    """Press Tab until `target` has focus, from wherever focus is now; the names of the elements
    passed. Each Tab moves to the next focusable element in the document's order (none skipped),
    and each shows a focus indicator, on screen."""
    visited: list[str] = []
    previous = focus_state(page)
    for _ in range(previous["count"]):
        page.keyboard.press("Tab")
        state = assert_focus_visible(page)
        visited.append(state["name"])
        if previous["index"] >= 0 or not visited[:-1]:
            expected = previous["index"] + 1
            assert state["index"] == expected, (
                f"Tab moved focus out of the document's order, to {state['name']} "
                f"(focusable #{state['index']}, not #{expected}), after: {visited[:-1]}"
            )
        if target.evaluate("(element) => element === document.activeElement"):
            return visited
        previous = state
    pytest.fail(f"Tab never reached {target}; focus went through: {visited}", pytrace=False)
