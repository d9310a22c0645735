"""Debian's nginx, run by a test in the foreground with the site file from deploy/: the same
file an operator installs, its ${DATELINE_*} placeholders filled in as envsubst would.

Everything nginx writes (pid, logs, temporary files, the cache) stays under the test's own
folder; the machine's /etc/nginx is only read for mime.types.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

import httpx
import pytest

from tests.live_server import free_port, log_tail

SITE_TEMPLATE = Path(__file__).parent.parent / "deploy" / "nginx" / "dateline.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT = 15.0

MAIN_CONF = """\
daemon off;
worker_processes 1;
$user
pid $prefix/nginx.pid;
error_log $prefix/error.log info;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $prefix/access.log;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    include $prefix/dateline.conf;
}
"""


def render_site(values: dict[str, str]) -> str:
    """The site file with the placeholders filled in; nginx's own $variables stay as they are
    (like `envsubst '${DATELINE_…}'` given the list of names)."""
    text = SITE_TEMPLATE.read_text()
    missing = [name for name in values if "${" + name + "}" not in text]
    assert not missing, f"the site file has no placeholder for {missing}"
    return Template(text).safe_substitute(values)


@dataclass
class Nginx:
    prefix: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def configure(cls, prefix: Path, nodes: list[str], static_dir: Path, media_dir: Path) -> Nginx:
        """`nodes`: "127.0.0.1:port" of each web node (the template has two)."""
        port = free_port()
        (prefix / "tmp").mkdir(parents=True)
        site = render_site(
            {
                "DATELINE_LISTEN": f"127.0.0.1:{port}",
                "DATELINE_SERVER_NAME": "localhost",
                "DATELINE_NODE_1": nodes[0],
                "DATELINE_NODE_2": nodes[1],
                "DATELINE_STATIC_DIR": str(static_dir),
                "DATELINE_MEDIA_DIR": str(media_dir),
                "DATELINE_CACHE_DIR": str(prefix / "cache"),
            }
        )
        (prefix / "dateline.conf").write_text(site)
        # As root, nginx's workers would switch to `nobody`, who may not read a test's files.
        user = "user root;" if os.geteuid() == 0 else ""
        main = Template(MAIN_CONF).substitute(prefix=prefix, user=user)
        (prefix / "nginx.conf").write_text(main)
        return cls(prefix, port)

    def start(self) -> None:
        command = [NGINX, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, f"nginx -t refused the config:\n{checked.stderr}"
        with (self.prefix / "stderr.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("nginx exited:\n" + log_tail(self.prefix / "error.log"))
            try:
                httpx.get(self.url + "/healthz", timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail("nginx did not answer:\n" + log_tail(self.prefix / "error.log"))

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # nginx: fast shutdown
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
