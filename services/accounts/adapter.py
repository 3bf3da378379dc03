"""The portal's allauth account adapter: allauth's rate limits and session list see the portal's client address."""

from allauth.account.adapter import DefaultAccountAdapter

from services.common.http import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        return client_address(request)
