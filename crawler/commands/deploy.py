"""``newsarchive deploy``: upload the project to a Scrapyd server."""

from __future__ import annotations

import argparse

from crawler.commands import http_url
from crawler.runner import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "deploy",
        help="upload the project to a Scrapyd server",
        description="Build the project's egg in memory (nothing is written to the tree) and upload it to Scrapyd "
        "(addversion.json). The server and project name come from scrapy.cfg's [deploy] section unless given. "
        "Then schedule crawls with Scrapyd's API: curl http://HOST:6800/schedule.json -d project=newsarchive "
        "-d spider=ndr -d setting=ARCHIVE_URI=s3://bucket/prefix",
    )
    p.add_argument("--url", type=http_url, help="the Scrapyd server, e.g. http://127.0.0.1:6800")
    p.add_argument("--project", help="the Scrapyd project name (default from scrapy.cfg: newsarchive)")
    p.add_argument("--version", help="the version to upload (default: package version + timestamp)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.deploy import DeployError, deploy, deploy_target
    from pipelines.redact import redact_url

    try:
        url, project = deploy_target()
    except DeployError:
        url, project = "", "newsarchive"
    url = args.url or url
    if not url:
        raise UsageError("no Scrapyd URL: give --url or a [deploy] url in scrapy.cfg")
    try:
        answer = deploy(url, args.project or project, args.version)
    except DeployError as exc:
        raise UsageError(str(exc)) from exc
    print(
        f"deployed {answer.get('project')} version {answer.get('version')} to {redact_url(url)} "
        f"({answer.get('spiders')} spiders)"
    )
    return 0
