from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Knowledge base"

    def ready(self):
        from articles import caching, checks, redirects, services, tagging  # noqa: F401  (checks registers the deploy checks)

        caching.connect_signals()
        services.connect_signals()
        tagging.connect_signals()
        redirects.connect_signals()

        from articles.versioning import register_models

        register_models()
