"""From Bifoga's settings to the provider it signs in at (docs/identity.md).

A real region names its provider in the settings (mostly its policy file): issuer, client
id, scopes, required ``acr``. The embedded sandbox names its own on its start page (the
``idp`` block of ``GET /sandbox/`` as JSON): issuer and client id from there, the scopes
and ``acr`` still from the settings.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.config.settings import Settings, SettingsError, SettingsProblem, settings_file
from app.identity.provider import ProviderSettings


def provider_settings(
    settings: Settings, sandbox_idp: Mapping[str, str] | None = None
) -> ProviderSettings:
    """The provider to sign in at; :class:`SettingsError` ``settings.idp_missing`` when
    a real gateway is configured and no issuer is."""
    if sandbox_idp is not None:
        issuer, client_id = sandbox_idp["issuer"], sandbox_idp["client_id"]
    else:
        issuer, client_id = settings.idp_issuer.strip(), settings.idp_client_id
    if not issuer:
        raise SettingsError(
            [SettingsProblem("settings.idp_missing", str(settings_file()), "idp_issuer")]
        )
    return ProviderSettings(
        issuer=issuer,
        client_id=client_id,
        scopes=tuple(settings.idp_scopes),
        acr=settings.idp_acr or None,
    )
