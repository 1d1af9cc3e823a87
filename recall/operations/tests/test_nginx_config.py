"""deploy/nginx.conf is a site nginx accepts: `nginx -t` with stand-in certificates.

nginx and openssl come from scripts/install-test-deps (make test runs it); the test fails
rather than skips without them, so CI never passes without checking the config.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from django.conf import settings

SITE = Path(settings.BASE_DIR) / "deploy" / "nginx.conf"
CERTIFICATE = "/etc/letsencrypt/live/recall.example.org/fullchain.pem"
KEY = "/etc/letsencrypt/live/recall.example.org/privkey.pem"


def find_program(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    assert found, f"{name} is missing: run scripts/install-test-deps"
    return found


def test_it_passes_nginx_t(tmp_path):
    nginx, openssl = find_program("nginx"), find_program("openssl")
    subprocess.run(  # noqa: S603 - fixed arguments
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=recall.example.org"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    site = SITE.read_text()
    assert CERTIFICATE in site and KEY in site
    site = site.replace(CERTIFICATE, str(tmp_path / "cert.pem"))
    (tmp_path / "site.conf").write_text(site.replace(KEY, str(tmp_path / "key.pem")))
    mime_types = Path("/etc/nginx/mime.types")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        + (f"    include {mime_types};\n" if mime_types.exists() else "")
        + f"    client_body_temp_path {tmp_path}/body;\n"
        f"    include {tmp_path}/site.conf;\n"
        "}\n"
    )

    result = subprocess.run(  # noqa: S603 - fixed arguments
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log")]
        + ["-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "[warn]" not in result.stderr and "[emerg]" not in result.stderr
