"""Viva Insights person query (usage): one row per person per week.

`PersonId` (a GUID: the roster must list people by the same id), `MetricDate` (the first day,
a Sunday, of the week the row sums), HR attributes (`Organization`, `FunctionType`,
`LevelDesignation`, ...) and metric columns. Each row is one event: activity `copilot`, count
`Total_Copilot_actions_taken` rounded to a whole number (`NA` or empty is 0: no recorded use),
dated on the week's last day (MetricDate + 6) so that the week lands in the ISO week it mostly
covers and no use is dated before it happened. The row is a weekly total, so it is tagged as a
snapshot of that day too: daily figures (stickiness) are not computable from it, weekly ones are.
Another metric can be counted instead with
`--map count=<column>`. Column names follow Viva's convention (spaces and punctuation become
`_`); values in Microsoft's public sample are synthetic (fractional counts).
"""

from __future__ import annotations

from analysis import values
from analysis.formats import Format

COLUMNS = (
    "PersonId,MetricDate,Collaboration_hours,Copilot_actions_taken_in_Teams,Meeting_and_call_hours,"
    "Internal_network_size,Email_hours,Channel_message_posts,External_collaboration_hours,Active_connected_hours,"
    "After_hours_collaboration_hours,Collaboration_span,Emails_sent,External_network_size,"
    "Meeting_and_call_hours_with_manager_1_1,Weekend_collaboration_hours,Copilot_actions_taken_in_Copilot_chat_work,"
    "Copilot_actions_taken_in_Excel,Copilot_actions_taken_in_Outlook,Copilot_actions_taken_in_Powerpoint,"
    "Copilot_actions_taken_in_Word,Days_of_active_Copilot_chat__work__usage,Days_of_active_Copilot_usage_in_Excel,"
    "Days_of_active_Copilot_usage_in_Loop,Days_of_active_Copilot_usage_in_OneNote,"
    "Days_of_active_Copilot_usage_in_Outlook,Days_of_active_Copilot_usage_in_Powerpoint,"
    "Days_of_active_Copilot_usage_in_Teams,Days_of_active_Copilot_usage_in_Word,Total_Copilot_active_days,"
    "Total_Copilot_enabled_days,Deals_closed,Win_rate,eSat,Wellbeing,Work_Life_Balance,Workload,"
    "Create_Excel_formula_actions_taken_using_Copilot,Create_presentation_actions_taken_using_Copilot,"
    "Generate_email_draft_actions_taken_using_Copilot_in_Outlook,Summarize_chat_actions_taken_using_Copilot_in_Teams,"
    "Summarize_email_thread_actions_taken_using_Copilot_in_Outlook,"
    "Summarize_meeting_actions_taken_using_Copilot_in_Teams,"
    "Summarize_presentation_actions_taken_using_Copilot_in_PowerPoint,"
    "Summarize_Word_document_actions_taken_using_Copilot_in_Word,Uninterrupted_hours,Total_Copilot_actions_taken,"
    "Chat__Copilot_in_Excel__prompts_submitted,Chat__Copilot_in_PowerPoint__prompts_submitted,"
    "Chat__Copilot_in_Word__prompts_submitted,Compose_chat_message_actions_taken_using_Copilot_in_Teams,"
    "Copilot_assisted_hours,Copilot_Chat__web__prompts_submitted,Copilot_chat__work__enabled_days,"
    "Copilot_chat__work__prompts_submitted,Copilot_Chat__work__prompts_submitted_in_Outlook,"
    "Copilot_Chat__work__prompts_submitted_in_Teams,Intelligent_recap_actions_taken,"
    "Draft_Word_document_actions_taken_using_Copilot,Email_coaching_actions_taken_using_Copilot,"
    "Excel_analysis_actions_taken_using_Copilot,Excel_formatting_actions_taken_using_Copilot,"
    "Rewrite_text_actions_taken_using_Copilot_in_Word,Total_emails_sent_using_Copilot_in_Outlook,"
    "Total_meetings_summarized_by_Copilot_in_Teams,Add_content_to_presentation_actions_taken,"
    "Organize_presentation_actions_taken,Visualize_as_table_actions_taken_using_Copilot_in_Word,"
    "SupervisorIndicator,Level,Organization,OrganizationSize,Region,FunctionType,CompanyTenure,WorkLocation,"
    "TeamSize,WeekendDays,TimeZone,LevelDesignation,IsActive,HireDate,Domain,Layer"
).split(",")


def whole(cell: str) -> str:
    """A metric as a whole count: rounded; NA or empty is 0 (no recorded use)."""
    if values.is_missing(cell):
        return "0"
    try:
        number = float(cell)
    except ValueError:
        return cell  # rejected by the count parser with its reason
    return str(round(number)) if number >= 0 else cell


FORMATS = [
    Format(
        name="viva_person_query",
        label="a Viva Insights person query",
        kind="usage",
        columns=tuple(COLUMNS),
        patterns=(r".*copilot.*",),
        fields={
            "user_id": ("PersonId",),
            "date": ("MetricDate",),
            "snapshot": ("MetricDate",),
            "count": ("Total_Copilot_actions_taken",),
        },
        values={"count": whole},
        constants={"activity": "copilot"},
        needs=("count",),
        day_offset={"date": 6, "snapshot": 6},
    )
]
