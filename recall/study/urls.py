from django.urls import path

from . import deck_views, views, views_authoring, views_exams, views_quiz

app_name = "study"

urlpatterns = [
    path("", views.study_home, name="home"),
    path("review/", views.review, name="review"),
    path("review/<int:item_id>/", views.review_answer_view, name="answer"),
    path("settings/", views.study_settings, name="settings"),
    path("stats/", views.study_stats_view, name="stats"),
    path("resources/<slug:slug>/", views.study_add, name="add"),
    path("resources/<slug:slug>/remove/", views.study_remove, name="remove"),
    # Edit study cards (the resource's author), quizzes and exam dates (cram mode).
    path("resources/<slug:slug>/cards/", views_authoring.cards, name="cards"),
    path("resources/<slug:slug>/cards/add/", views_authoring.card_add, name="card_add"),
    path(
        "resources/<slug:slug>/cards/<int:item_id>/edit/",
        views_authoring.card_edit,
        name="card_edit",
    ),
    path(
        "resources/<slug:slug>/cards/<int:item_id>/span/",
        views_authoring.card_span,
        name="card_span",
    ),
    path(
        "resources/<slug:slug>/cards/<int:item_id>/hide/",
        views_authoring.card_hide,
        name="card_hide",
    ),
    path(
        "resources/<slug:slug>/cards/<int:item_id>/restore/",
        views_authoring.card_restore,
        name="card_restore",
    ),
    path(
        "resources/<slug:slug>/cards/<int:item_id>/revert/",
        views_authoring.card_revert,
        name="card_revert",
    ),
    path("quiz/resources/<slug:slug>/", views_quiz.quiz_resource, name="quiz_resource"),
    path(
        "quiz/topics/<slug:subject_slug>/<slug:topic_slug>/",
        views_quiz.quiz_topic,
        name="quiz_topic",
    ),
    path("exams/resources/<slug:slug>/", views_exams.exam_resource, name="exam_resource"),
    path(
        "exams/topics/<slug:subject_slug>/<slug:topic_slug>/",
        views_exams.exam_topic,
        name="exam_topic",
    ),
    path("exams/<int:exam_id>/clear/", views_exams.exam_clear, name="exam_clear"),
    path("resources/<slug:slug>/deck/", deck_views.deck_resource, name="deck_resource"),
    path(
        "topics/<slug:subject_slug>/<slug:topic_slug>/deck/",
        deck_views.deck_topic,
        name="deck_topic",
    ),
    path("deck/", deck_views.deck_studied, name="deck_studied"),
    path("import/", deck_views.deck_import_view, name="import"),
]
