"""``kiban accounts``: operator commands for staff and operator accounts.

    kiban accounts create-staff 131016 tanaka --role residents.clerk --role residents.supervisor < password
    kiban accounts create-operator ops-yamada < password
    kiban accounts enroll-totp tanaka        # prints the otpauth:// URI to hand to the person, once
    kiban accounts roles                     # every role, per business

The password is read from standard input (never from the command line, where it would land in shell history).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from kiban.platform.accounts import roles
from kiban.platform.accounts.models import User
from kiban.platform.accounts.services import create_operator, create_staff, enroll_totp
from kiban.platform.tenants.models import Tenant


class Command(BaseCommand):
    help = "Manage staff and operator accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("create-staff", help="a municipal staff account (password on stdin)")
        s.add_argument("tenant", help="6-digit local government code")
        s.add_argument("username")
        s.add_argument("--role", action="append", default=[], help="role code; repeat for several")
        o = sub.add_parser("create-operator", help="a platform operator account (password on stdin)")
        o.add_argument("username")
        t = sub.add_parser("enroll-totp", help="replace the account's TOTP device and print its otpauth URI")
        t.add_argument("username")
        sub.add_parser("roles", help="list the roles")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "roles":
                for role in roles.all_roles():
                    self.stdout.write(f"{role.code}\t{role.label_ja}\t{role.label_en}")
            elif action == "create-staff":
                tenant = Tenant.objects.filter(code=options["tenant"]).first()
                if tenant is None:
                    raise CommandError(f"{options['tenant']} is not a provisioned tenant")
                user = create_staff(tenant, options["username"], self._password(), options["role"])
                self.stdout.write(
                    f"created {user.username} ({tenant}) with roles {', '.join(options['role']) or 'none'}"
                )
            elif action == "create-operator":
                user = create_operator(options["username"], self._password())
                self.stdout.write(f"created operator {user.username}")
            elif action == "enroll-totp":
                account = User.objects.filter(username=options["username"]).first()
                if account is None:
                    raise CommandError(f"no account {options['username']}")
                TOTPDevice.objects.filter(user=account).delete()
                self.stdout.write(enroll_totp(account).config_url)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    def _password(self) -> str:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("give the password on standard input")
        return password
