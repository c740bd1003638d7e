from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ClientGrant, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "granted_at")
    readonly_fields = ("granted_at",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "tenant", "is_active", "is_staff", "last_login")
    list_filter = ("tenant__prefecture", "is_active", "is_staff")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Kiban", {"fields": ("tenant",)}))
    inlines = [RoleAssignmentInline]


@admin.register(ClientGrant)
class ClientGrantAdmin(admin.ModelAdmin):
    list_display = ("application", "tenant", "business", "granted_at")
    list_filter = ("business",)
