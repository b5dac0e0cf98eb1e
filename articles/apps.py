from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Knowledge base"

    def ready(self):
        from articles import services
        from articles.caching import connect_signals

        connect_signals()
        services.connect_signals()
