"""Typed, validated stack settings. Import from here."""

from infra.settings.errors import SettingsError
from infra.settings.loading import from_pulumi_runtime, from_stack_file, read_stack_file, stack_file, validate
from infra.settings.release import COLORS, Color, ReleaseSettings, other_color
from infra.settings.stack import NAMESPACE, StackSettings

__all__ = [
    "COLORS",
    "NAMESPACE",
    "Color",
    "ReleaseSettings",
    "SettingsError",
    "StackSettings",
    "from_pulumi_runtime",
    "from_stack_file",
    "other_color",
    "read_stack_file",
    "stack_file",
    "validate",
]
