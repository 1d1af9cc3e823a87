from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "recall.study"
    label = "study"
    verbose_name = "Study"

    def ready(self) -> None:
        from recall.operations.exports import register_user_data_section

        from .decks import studied_decks
        from .exports import study_authoring_csv, study_history_csv

        register_user_data_section(study_history_csv)
        register_user_data_section(study_authoring_csv)
        register_user_data_section(studied_decks)
