"""The dashboard page in a real browser: Debian's Chromium, headless, driven by Playwright,
against the page served by uvicorn on 127.0.0.1 over an instant cluster in a temporary
RECONCILER_HOME. The page must follow the cluster live (no reload): the example's pods appear,
a deleted pod is replaced, a stopped node turns NotReady and its pods move, a broken manifest
shows its path:line:col. Every wait is on a page condition with a deadline.

Skipped when Playwright's Python package or Chromium is not installed (`.ci/run` installs
both). Screenshots are saved in each test's temporary folder, for review."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reconciler.cli.app import app
from reconciler.cli.context import cluster_from_cli
from reconciler.web.serve import DashboardServer, ServeOptions
from tests.web.conftest import BROKEN

try:
    from playwright import sync_api
except ImportError:  # the package is optional: the web-test extra
    pytest.skip("Playwright is not installed (pip install '.[web-test]')", allow_module_level=True)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Chromium as root in a closed network: no sandbox, and no calls home."""
WAIT = 15_000
"""Milliseconds a page condition may take before the test fails."""

Page = Any  # playwright.sync_api.Page: the package is optional, so not imported for typing


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private state folder holding an instant three-node cluster."""
    monkeypatch.setenv("RECONCILER_HOME", str(tmp_path / "state"))
    created = CliRunner().invoke(app, ["cluster", "create", "--timing", "instant"])
    assert created.exit_code == 0, created.output
    return tmp_path / "state"


@pytest.fixture
def dashboard(home: Path) -> Iterator[DashboardServer]:
    """`reconciler dashboard` in this process: it advances the cluster in real time."""
    with cluster_from_cli() as cluster:
        server = DashboardServer(cluster, ServeOptions(port=0))
        server.start()
        yield server
        server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == [], f"the page raised: {errors}"


def apply(folder: Path) -> None:
    """`reconciler apply -f DIR`, as in another terminal."""
    applied = CliRunner().invoke(app, ["apply", "-f", str(folder)])
    assert applied.exit_code == 0, applied.output


def ready_pods(page: Page, where: str = ".node") -> list[str]:
    names: list[str] = page.eval_on_selector_all(
        f'{where} .pod[data-state="Ready"]', "tiles => tiles.map(t => t.dataset.pod)"
    )
    return names


def wait_until(page: Page, script: str, argument: Any = None) -> None:
    page.wait_for_function(script, arg=argument, timeout=WAIT)


def open_live(page: Page, dashboard: DashboardServer, folder: Path) -> list[str]:
    """Open the page, apply the example while it watches, wait for three Ready pods."""
    page.goto(dashboard.url)
    wait_until(page, "document.querySelector('#connection').dataset.state === 'live'")
    apply(folder)
    wait_until(page, "document.querySelectorAll('.node .pod[data-state=\"Ready\"]').length === 3")
    page.evaluate("window.notReloaded = true")
    return ready_pods(page)


def test_the_node_map_shows_the_three_pods_after_applying_the_example_and_who_answers(
    page: Page, dashboard: DashboardServer, folder: Path, tmp_path: Path
) -> None:
    names = open_live(page, dashboard, folder)
    wait_until(page, "document.querySelectorAll('#wires path').length === 3")

    assert len(names) == 3 and all(name.startswith("kubia-") for name in names)
    tiles = page.eval_on_selector_all(
        ".pod", "tiles => tiles.map(t => [t.closest('.node').dataset.node, t.innerText])"
    )
    for node, text in tiles:
        hostname, ip, status, ready = text.split("\n")
        assert hostname in names and ip.startswith("10.244.")
        assert (status, ready) == ("Running", "1/1")
        assert node.startswith("node-")
    service = page.inner_text('.service[data-service="kubia-http"]')
    assert "LoadBalancer" in service and "3 ready" in service and "80:" in service
    assert page.inner_text('#workloads tr[data-workload="rc/kubia"]').split("\t")[2:5] == [
        "3",
        "3",
        "3",
    ]
    assert "Started container kubia" in page.inner_text("#events")

    page.click('.service[data-service="kubia-http"] button.send')

    wait_until(
        page,
        """() => [...document.querySelectorAll('.pod .hits')]
            .reduce((sum, badge) => sum + Number(badge.textContent), 0) === 10""",
    )
    assert "10 requests answered by:" in page.inner_text('.service[data-service="kubia-http"]')
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_a_deleted_pod_disappears_and_its_replacement_appears_without_a_reload(
    page: Page, dashboard: DashboardServer, folder: Path, tmp_path: Path
) -> None:
    names = open_live(page, dashboard, folder)
    victim = names[0]

    page.click(f'.pod[data-pod="{victim}"]')
    page.wait_for_selector(f'#details[data-name="{victim}"] #details-yaml:has-text("kind: Pod")')
    page.click('#details-actions button[data-action="delete"]')

    wait_until(
        page,
        """victim => !document.querySelector(`.pod[data-pod="${victim}"]`)
            && document.querySelectorAll('.node .pod[data-state="Ready"]').length === 3""",
        victim,
    )
    after = ready_pods(page)
    assert victim not in after and len(set(after) - set(names)) == 1
    assert page.evaluate("window.notReloaded") is True
    assert "This object no longer exists." in page.inner_text("#details")
    assert "Killing" in page.inner_text("#details-events")
    page.screenshot(path=str(tmp_path / "replaced.png"), full_page=True)


def test_a_stopped_node_turns_not_ready_and_its_pods_move(
    page: Page, dashboard: DashboardServer, folder: Path, tmp_path: Path
) -> None:
    open_live(page, dashboard, folder)
    node = page.eval_on_selector(".pod", "tile => tile.closest('.node').dataset.node")

    page.click(f'.node[data-node="{node}"] button.kubelet')

    wait_until(
        page,
        """node => {
            const card = document.querySelector(`.node[data-node="${node}"]`);
            const others = `.node:not([data-node="${node}"]) .pod[data-state="Ready"]`;
            return card.dataset.status === 'NotReady'
                && document.querySelectorAll(others).length === 3;
        }""",
        node,
    )
    card = page.inner_text(f'.node[data-node="{node}"]')
    assert "NotReady" in card and "kubelet stopped" in card and "Start kubelet" in card
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=str(tmp_path / "node-stopped.png"), full_page=True)


@pytest.fixture
def daemon(home: Path, folder: Path) -> Iterator[str]:
    """`reconciler watch DIR --dashboard --port 0` as a user runs it; yields the page's URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "watch",
            "manifests",
            "--dashboard",
            "--port",
            "0",
            "--log-format",
            "json",
        ],
        env={**os.environ, "RECONCILER_HOME": str(home)},
        cwd=folder.parent,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    url = ""
    for line in process.stderr:  # the daemon logs the dashboard's address before it syncs
        record = json.loads(line)
        if record.get("event") == "dashboard":
            url = record["url"]
            break
    assert url, "the daemon did not start its dashboard"
    yield url
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0


def test_a_broken_manifest_shows_its_path_line_col(
    page: Page, daemon: str, folder: Path, tmp_path: Path
) -> None:
    page.goto(daemon)
    wait_until(page, "document.querySelectorAll('.node .pod[data-state=\"Ready\"]').length === 3")
    wait_until(
        page, "document.querySelectorAll('#gitops .file[data-sync=\"Synced\"]').length === 2"
    )

    (folder / "broken.yaml").write_text(BROKEN)

    wait_until(page, "!!document.querySelector('#gitops [data-error]')")
    error = page.inner_text("#gitops [data-error]")
    assert error.startswith("manifests/broken.yaml:6:13: error: spec.replicas: Invalid value")
    assert page.get_attribute('#gitops .file[data-file="manifests/broken.yaml"]', "data-sync") == (
        "Error"
    )
    page.screenshot(path=str(tmp_path / "broken-manifest.png"), full_page=True)
