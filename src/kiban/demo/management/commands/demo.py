"""``kiban demo``: set up the demo municipality, print its accounts, and serve on 127.0.0.1:8000."""

from __future__ import annotations

import os
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kiban.demo.provision import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_TENANT,
    provision_demo,
    totp_now,
)
from kiban.platform.events.dispatcher import Dispatcher


class Command(BaseCommand):
    help = "Run Kiban with a sample municipality (東京都千代田区) on the configured database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="set up and print, but do not serve")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("setup", verbosity=0)
        if not os.environ.get("KIBAN_PORTAL_OIDC_METADATA_URL"):  # the demo provider is this very server
            metadata = f"http://{options['addrport']}/o/.well-known/openid-configuration"
            settings.KIBAN_PORTAL_OIDC = {**settings.KIBAN_PORTAL_OIDC, "metadata_url": metadata}
        accounts = provision_demo(addrport=options["addrport"])
        w = self.stdout.write
        w(f"\nKiban demo: municipality {DEMO_TENANT} (東京都千代田区)")
        w(f"  URL:       http://{options['addrport']}/login/   (operators: /admin/, API: /api/v1/docs)")
        w(f"  Password for every account: {DEMO_PASSWORD}")
        w("  Second factor: add the otpauth URI to an authenticator app, or run `kiban demo-code USER`.")
        for a in accounts:
            if a.otpauth_uri:
                w(f"  - {a.username:<20} {a.description}\n      code now: {totp_now(a.username)}   {a.otpauth_uri}")
            else:
                w(f"  - {a.username:<20} {a.description}: sign in at http://{options['addrport']}/portal/")
        w(f"  Machine client (OAuth 2.0 client credentials, POST /o/token/): {DEMO_CLIENT_ID} / {DEMO_CLIENT_SECRET}")
        if not options["no_serve"]:
            # The event dispatcher runs in-process for the demo; in production it is `kiban dispatcher`.
            threading.Thread(target=Dispatcher().run_forever, name="kiban-dispatcher", daemon=True).start()
            w("  Event dispatcher: running in-process")
            call_command("runserver", options["addrport"], use_reloader=False, insecure_serving=True)
