from django.contrib import admin
from django.http import HttpRequest

from .models import Tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("code", "prefecture", "name", "kind", "active", "provisioned_at")
    list_filter = ("kind", "prefecture", "active")
    search_fields = ("code", "name", "kana")
    readonly_fields = ("code", "prefecture_code", "prefecture", "name", "kana", "kind", "provisioned_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tenants come from the catalog: `kiban tenants provision CODE`

    def has_delete_permission(self, request: HttpRequest, obj: Tenant | None = None) -> bool:
        return False
