"""Who may do what in the admin: anonymous visitors, charlie the reader, bob the editor, alice the admin.

The admin is for staff only. Editors (staff in the "Editors" group that
migration 0002 creates) add and change content but never users, groups or
permissions; only a superuser manages people.
"""

from django.contrib.auth.models import Group, Permission, User
from django.test import TestCase
from django.urls import reverse

from articles.models import Actor, Article, Claim
from tests.factories import make_admin, make_article, make_claim, make_editor, make_reader, make_user

BODY = "The delegation arrived in Pyongyang on Thursday. Talks lasted two days."


def article_form(**overrides):
    """What the admin's add/change form posts for an article, with no citations inline."""
    data = {
        "title": "A new article",
        "slug": "a-new-article",
        "kind": Article.Kind.NEWS,
        "tags": "",
        "published": "2025-10-09",
        "date_precision": "day",
        "date_note": "",
        "body": BODY,
        "captions": "",
        "url": "",
        "source_file": "",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }
    return {**data, **overrides}


class PermissionsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = make_admin()
        cls.bob = make_editor()
        cls.charlie = make_reader()
        cls.article = make_article(BODY, title="Arrival", slug="arrival")
        cls.claim = make_claim(
            "The delegation arrived on Thursday.",
            slug="arrived-thursday",
            citations=[(cls.article, "The delegation arrived in Pyongyang on Thursday.")],
        )


class AnonymousTests(PermissionsTestCase):
    def test_it_is_sent_to_the_login_page_from_the_admin(self):
        r = self.client.get(reverse("admin:index"))
        self.assertRedirects(r, f"{reverse('admin:login')}?next={reverse('admin:index')}")

    def test_it_cannot_add_an_article(self):
        r = self.client.post(reverse("admin:articles_article_add"), article_form())
        # Refused with what was posted kept (an editor signed out meanwhile) and a way to sign in.
        self.assertEqual(r.status_code, 403)
        self.assertContains(r, f"{reverse('admin:login')}?next=", status_code=403)
        self.assertFalse(Article.objects.filter(slug="a-new-article").exists())

    def test_it_reads_the_public_pages(self):
        for url in [reverse("articles:home"), self.article.get_absolute_url(), self.claim.get_absolute_url()]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)


class ReaderTests(PermissionsTestCase):
    def setUp(self):
        self.client.force_login(self.charlie)

    def test_it_is_sent_to_the_login_page_from_the_admin(self):
        # The admin treats a signed-in non-staff user like a stranger.
        r = self.client.get(reverse("admin:index"))
        self.assertEqual(r.status_code, 302)
        self.assertIn(reverse("admin:login"), r.url)

    def test_it_cannot_open_the_article_changelist(self):
        r = self.client.get(reverse("admin:articles_article_changelist"))
        self.assertEqual(r.status_code, 302)
        self.assertIn(reverse("admin:login"), r.url)

    def test_it_cannot_change_a_claim(self):
        url = reverse("admin:articles_claim_change", args=[self.claim.pk])
        r = self.client.post(url, {"slug": self.claim.slug, "text": "Rewritten by a reader.", "kind": "fact"})
        self.assertEqual(r.status_code, 302)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.text, "The delegation arrived on Thursday.")

    def test_it_still_reads_the_public_pages(self):
        self.assertEqual(self.client.get(self.article.get_absolute_url()).status_code, 200)


class EditorTests(PermissionsTestCase):
    def setUp(self):
        self.client.force_login(self.bob)

    def test_it_opens_the_admin(self):
        r = self.client.get(reverse("admin:index"))
        self.assertContains(r, "Articles")
        self.assertContains(r, "Claims")

    def test_it_sees_no_users_or_groups_on_the_admin_index(self):
        r = self.client.get(reverse("admin:index"))
        self.assertNotContains(r, reverse("admin:auth_user_changelist"))
        self.assertNotContains(r, reverse("admin:auth_group_changelist"))

    def test_it_adds_an_article(self):
        r = self.client.post(reverse("admin:articles_article_add"), article_form())
        self.assertRedirects(r, reverse("admin:articles_article_changelist"))
        self.assertTrue(Article.objects.filter(slug="a-new-article", body=BODY).exists())

    def test_it_changes_an_article(self):
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        r = self.client.post(url, article_form(title="Arrival, corrected", slug="arrival"))
        self.assertRedirects(r, reverse("admin:articles_article_changelist"))
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "Arrival, corrected")

    def test_it_adds_an_actor(self):
        data = {
            "name": "Kim Song",
            "slug": "kim-song",
            "kind": "person",
            "description": "",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0",
            "aliases-MAX_NUM_FORMS": "1000",
            "aliases-0-name": "Song Kim",
        }
        r = self.client.post(reverse("admin:articles_actor_add"), data)
        self.assertRedirects(r, reverse("admin:articles_actor_changelist"))
        self.assertEqual(Actor.objects.named("Song Kim").get().slug, "kim-song")

    def test_it_gets_403_on_the_user_list(self):
        r = self.client.get(reverse("admin:auth_user_changelist"))
        self.assertEqual(r.status_code, 403)

    def test_it_gets_403_on_the_group_list(self):
        r = self.client.get(reverse("admin:auth_group_changelist"))
        self.assertEqual(r.status_code, 403)

    def test_it_cannot_add_a_user(self):
        data = {"username": "mallory", "password1": "x9!long-enough-pw", "password2": "x9!long-enough-pw"}
        r = self.client.post(reverse("admin:auth_user_add"), data)
        self.assertEqual(r.status_code, 403)
        self.assertFalse(User.objects.filter(username="mallory").exists())

    def test_it_cannot_promote_itself_to_superuser(self):
        url = reverse("admin:auth_user_change", args=[self.bob.pk])
        r = self.client.post(url, {"username": "bob", "is_staff": "on", "is_superuser": "on", "is_active": "on"})
        self.assertEqual(r.status_code, 403)
        self.bob.refresh_from_db()
        self.assertFalse(self.bob.is_superuser)

    def test_it_cannot_widen_the_editors_group(self):
        group = Group.objects.get(name="Editors")
        url = reverse("admin:auth_group_change", args=[group.pk])
        every_permission = list(Permission.objects.values_list("pk", flat=True))
        r = self.client.post(url, {"name": "Editors", "permissions": every_permission})
        self.assertEqual(r.status_code, 403)
        self.assertFalse(group.permissions.filter(content_type__app_label="auth").exists())

    def test_it_is_refused_deleting_an_article_that_carries_citations_and_told_what_depends_on_it(self):
        # Citation.article is PROTECT: the admin's confirmation page becomes a
        # refusal that names each citation standing in the way.
        url = reverse("admin:articles_article_delete", args=[self.article.pk])
        r = self.client.get(url)
        self.assertContains(r, "Cannot delete article")
        self.assertContains(r, "would require deleting the following protected related objects")
        citation = self.claim.citations.get()
        self.assertContains(r, reverse("admin:articles_citation_change", args=[citation.pk]))
        self.assertContains(r, "The delegation arrived in Pyongyang on Thursday.")

        # Posting the confirmation anyway changes nothing.
        r = self.client.post(url, {"post": "yes"})
        self.assertContains(r, "Cannot delete article", status_code=409)
        self.assertTrue(Article.objects.filter(pk=self.article.pk).exists())

    def test_it_is_refused_deleting_from_the_list_an_article_that_carries_citations(self):
        url = reverse("admin:articles_article_changelist")
        chosen = {"action": "delete_selected", "_selected_action": [self.article.pk]}
        # The action's first step is its confirmation page, here a refusal naming what stands in the way.
        r = self.client.post(url, chosen)
        self.assertContains(r, "would require deleting the following protected related objects")
        # Confirmed anyway (a page opened before the citation was added): nothing deleted, and a 409.
        r = self.client.post(url, {**chosen, "post": "yes"})
        self.assertContains(r, "would require deleting the following protected related objects", status_code=409)
        self.assertTrue(Article.objects.filter(pk=self.article.pk).exists())

    def test_it_deletes_an_article_nothing_cites(self):
        loose = make_article("Nothing quotes this.", slug="loose")
        r = self.client.post(reverse("admin:articles_article_delete", args=[loose.pk]), {"post": "yes"})
        self.assertRedirects(r, reverse("admin:articles_article_changelist"))
        self.assertFalse(Article.objects.filter(slug="loose").exists())


class StaffWithoutGroupTests(PermissionsTestCase):
    """Being staff opens the admin's door and nothing else: the group grants the content."""

    def setUp(self):
        self.client.force_login(make_user("dave", staff=True))

    def test_it_gets_403_on_the_article_add_page(self):
        self.assertEqual(self.client.get(reverse("admin:articles_article_add")).status_code, 403)

    def test_it_gets_403_on_the_claim_changelist(self):
        self.assertEqual(self.client.get(reverse("admin:articles_claim_changelist")).status_code, 403)


class AdminTests(PermissionsTestCase):
    def setUp(self):
        self.client.force_login(self.alice)

    def test_it_manages_users(self):
        self.assertEqual(self.client.get(reverse("admin:auth_user_changelist")).status_code, 200)
        r = self.client.get(reverse("admin:auth_user_change", args=[self.bob.pk]))
        self.assertContains(r, "bob")

    def test_it_manages_groups(self):
        group = Group.objects.get(name="Editors")
        self.assertEqual(self.client.get(reverse("admin:auth_group_change", args=[group.pk])).status_code, 200)

    def test_it_changes_content_too(self):
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        r = self.client.post(url, article_form(title="Arrival (by alice)", slug="arrival"))
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Article.objects.get(pk=self.article.pk).title, "Arrival (by alice)")


class EditorsGroupTests(TestCase):
    def test_it_holds_every_content_permission(self):
        group = Group.objects.get(name="Editors")
        for model in [Actor, Article, Claim]:
            for action in ["add", "change", "delete", "view"]:
                codename = f"{action}_{model._meta.model_name}"
                with self.subTest(codename=codename):
                    self.assertTrue(group.permissions.filter(codename=codename).exists())

    def test_it_holds_nothing_about_users_groups_or_permissions(self):
        group = Group.objects.get(name="Editors")
        self.assertFalse(group.permissions.filter(content_type__app_label__in=["auth", "admin", "sessions"]).exists())
