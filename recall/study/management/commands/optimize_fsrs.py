"""manage.py optimize_fsrs USER | --all: fit FSRS parameters to users' own review logs."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from recall.lib.study import optimiser
from recall.study.optimise import optimise_user, users_with_enough_reviews


class Command(BaseCommand):
    help = (
        "Optimise FSRS-6's parameters from a user's own review log (fsrs-rs). Needs at "
        f"least {optimiser.MIN_REVIEWS} reviews, {optimiser.MIN_LONG_TERM_REVIEWS} of them a "
        "day or more after the card's previous review; with fewer, nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="the user to optimise")
        parser.add_argument(
            "--all",
            action="store_true",
            help=f"every active user with at least {optimiser.MIN_REVIEWS} reviews",
        )

    def handle(self, *args, username=None, all=False, **options):
        if bool(username) == bool(all):
            raise CommandError("Name one user, or pass --all.")
        if all:
            users = list(users_with_enough_reviews())
        else:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user called {username!r}.")
            users = [user]
        optimised = 0
        for user in users:
            outcome = optimise_user(user)
            optimised += outcome.parameters is not None
            style = self.style.SUCCESS if outcome.parameters is not None else self.style.WARNING
            self.stdout.write(style(f"{user.get_username()}: {outcome.message}"))
        if all:
            self.stdout.write(f"{optimised} of {len(users)} users optimised.")
        elif not optimised:
            raise CommandError(outcome.message)
