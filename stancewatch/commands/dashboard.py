"""Commands: dashboard (start the Streamlit app; print a password hash for the settings file)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from stancewatch.console import console
from stancewatch.context import state
from stancewatch.errors import StancewatchError
from stancewatch.supervisor import LaunchError, Supervisor

out = console()


def dashboard(
    ctx: typer.Context,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on (default: settings, 8501).")] = None,
    host: Annotated[str | None, typer.Option(
        "--host", help="Address to bind (default: settings, 127.0.0.1; 0.0.0.0 exposes it to the network).")] = None,
    set_password: Annotated[bool, typer.Option(
        "--set-password", help="Ask for a password and print the hash line for stancewatch.toml; start nothing.")
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the app to answer.")] = 60.0,
) -> None:
    """Start the dashboard and keep it running until Ctrl-C, SIGTERM or SIGHUP (which stop it)."""
    from dashboard import auth

    if set_password:
        password = typer.prompt("Dashboard password", hide_input=True, confirmation_prompt=True)
        line = auth.hash_password(password)
        out.print("Put this in stancewatch.toml (then restart the dashboard):\n", highlight=False)
        print(f'[dashboard]\npassword_hash = "{line}"')
        return
    settings = state(ctx).settings
    bind = host or settings.dashboard.host
    listen = port or settings.dashboard.port
    if not 1 <= listen <= 65535:
        raise StancewatchError(f"--port {listen}: expected a port number from 1 to 65535")
    with Supervisor(out.print) as supervisor:
        try:
            address = supervisor.start_dashboard(settings.db.url, bind, listen, settings.dashboard.password_hash,
                                                 quiet=False, timeout=timeout)
        except LaunchError as exc:
            raise StancewatchError(str(exc).removeprefix("the dashboard did not start: ")) from None
        out.print(Text.assemble("dashboard on ", (address, "bold"), f" reading {settings.db.label} "
                                f"{'(password required)' if settings.dashboard.password_hash else ''}; "
                                "Ctrl-C stops it"), highlight=False)
        supervisor.serve()


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.command("dashboard")(dashboard)
