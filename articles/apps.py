from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Knowledge base"

    def ready(self):
        from django.db.backends.signals import connection_created

        from articles import caching, checks, redirects, search, services, tagging  # noqa: F401  (checks: deploy checks)

        caching.connect_signals()
        services.connect_signals()
        tagging.connect_signals()
        redirects.connect_signals()
        connection_created.connect(search.register_fold, dispatch_uid="articles.search.register_fold")

        from articles.versioning import register_models

        register_models()
