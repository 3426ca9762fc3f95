# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
"""The license (issue 18): BSD-3-Clause in LICENSE, the Debian copyright file and an SPDX header
in every source file the repository tracks (code, scripts, CMake, man pages, the unit)."""

from __future__ import annotations

import re
import subprocess

from sipdnsd_harness import REPO

SOURCE = re.compile(r"\.(cc|h|c|proto|py|sh|cmake|service|[1-8])$|CMakeLists\.txt$|^\.ci/run$|"
                    r"^packaging/debian/(postinst|postrm|prerm)$")


def tracked() -> list[str]:
    r = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:  # not a git checkout (a source tarball): every file counts
        return [str(p.relative_to(REPO)) for p in REPO.rglob("*") if p.is_file()
                and ".git" not in p.parts and not str(p.relative_to(REPO)).startswith("build")]
    return r.stdout.split()


def test_every_source_file_has_the_spdx_header():
    files = [f for f in tracked() if SOURCE.search(f) and not f.startswith("tests/fuzz/corpus/")]
    assert len(files) > 200, files
    missing = [f for f in files
               if "SPDX-License-Identifier: BSD-3-Clause" not in (REPO / f).read_text()[:400]]
    assert missing == [], f"without an SPDX-License-Identifier: BSD-3-Clause header: {missing}"


def test_license_file_and_debian_copyright_agree():
    license_text = (REPO / "LICENSE").read_text()
    assert "Redistribution and use in source and binary forms" in license_text
    assert "2026 The sipdns authors" in license_text
    copyright_text = (REPO / "packaging" / "debian" / "copyright").read_text()
    # DEP-5 spells it BSD-3-clause (its short names are case-insensitive).
    assert re.search(r"^License: BSD-3-clause$", copyright_text, re.M | re.I), copyright_text
