"""The case actions as forms: one small form per action, with the inputs it needs.

Choices come from the case and the user (a dispatch offers only units serving the case's place and
teams the user may dispatch to). ``submit`` validates, then calls the one service for the action;
the service's refusals (the case moved on meanwhile, not this user, a rule of the process) come back
as the form's errors, in Chinese, and nothing is written. The detail page's action panel and
``POST /api/cases/{id}/actions/{action}`` bind the same forms.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from . import services as svc
from .errors import TransitionNotAllowed
from .forms import DateInput, DateTimeInput, text_field, unit_choice
from .models import Case, CaseEvent, Rating, WhistleTask

# --- one form per action ------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of the action forms: ``submit()`` validates, calls the service, collects its refusals."""

    action = ""
    #: where a service error keyed by the service's field name lands in this form
    field_map: dict[str, str] = {}
    button = ""
    #: why ``submit`` failed: "invalid" (the input), "conflict" (the case's state), "denied" (the user)
    failure = ""

    def __init__(self, data=None, *, case: Case, user, **kwargs):
        self.case, self.user = case, user
        super().__init__(data, **kwargs)
        self.setup()

    def setup(self) -> None:
        """Fill choices that depend on the case and the user."""

    def perform(self, data: dict) -> CaseEvent:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    @property
    def label(self) -> str:
        return selectors.action_text(self.action)

    @property
    def submit_label(self) -> str:
        return self.button or _("确认%(label)s") % {"label": self.label}

    def add_service_error(self, exc: Exception) -> None:
        self.failure = "conflict" if isinstance(exc, TransitionNotAllowed) else \
            "denied" if isinstance(exc, PermissionDenied) else "invalid"
        if isinstance(exc, TransitionNotAllowed):
            self.add_error(None, exc.message)
        elif isinstance(exc, PermissionDenied):
            self.add_error(None, str(exc) or _("您无权执行该操作"))
        elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for key, errors in exc.message_dict.items():
                name = self.field_map.get(key, key)
                for message in errors:
                    self.add_error(name if name in self.fields else None, message)
        else:
            self.add_error(None, "；".join(getattr(exc, "messages", None) or [str(exc)]))

    def submit(self) -> CaseEvent | None:
        """The event written, or None with the errors on the form (nothing written then)."""
        if not self.is_valid():
            self.failure = "invalid"
            return None
        try:
            return self.perform(self.cleaned_data)
        except (TransitionNotAllowed, PermissionDenied, ValidationError) as exc:
            self.add_service_error(exc)
            return None


class NoteForm(ActionForm):
    """Actions whose only input is an optional note."""

    note = text_field(_("说明（选填）"))
    service: Callable[..., CaseEvent]

    def perform(self, data):
        return type(self).service(case=self.case, actor=self.user, note=data["note"])


def _note_form(action: str, service_name: str, *, note_label=None, required: bool = False,
               button: str = "") -> type[NoteForm]:
    attrs: dict[str, Any] = {"action": action, "button": button,
                             "service": staticmethod(getattr(svc, service_name))}
    if note_label is not None:
        attrs["note"] = text_field(note_label, required=required)
    return type(f"{action.title().replace('_', '')}Form", (NoteForm,), attrs)


class ReasonForm(ActionForm):
    """Actions that need a reason (the service's ``note``)."""

    field_map = {"note": "reason"}
    reason = text_field(_("理由"), required=True)
    service_name = ""

    def perform(self, data):
        return getattr(svc, self.service_name)(case=self.case, actor=self.user, reason=data["reason"])


class RejectForm(ReasonForm):
    action, service_name = "reject", "case_reject"
    reason = text_field(_("不予受理的原因及应反映的渠道"), required=True, rows=3,
                        help_text=_("如：属民事纠纷，请向人民法院起诉；属劳动争议，请向劳动仲裁委员会申请仲裁"))


class ReturnForm(ReasonForm):
    action, service_name = "return", "case_return"
    reason = text_field(_("退单理由"), required=True, help_text=_("每个承办单位只能退单一次，由派单人决定如何处理"))


class ReopenForm(ReasonForm):
    action, service_name = "reopen", "case_reopen"
    reason = text_field(_("重办理由"), required=True)


class DenyExtensionForm(ReasonForm):
    action, service_name = "deny_extension", "case_deny_extension"
    reason = text_field(_("驳回理由"), required=True)


class MergeForm(ActionForm):
    action = "merge"
    into = forms.CharField(label=_("合并到（诉求编号）"), max_length=24,
                           error_messages={"required": _("请填写要合并到的诉求编号")})
    note = text_field(_("说明（选填）"))

    def clean_into(self) -> Case:
        code = self.cleaned_data["into"].strip().upper()
        target = selectors.staff_cases_for(self.user).filter(code=code).exclude(pk=self.case.pk).first()
        if target is None:
            raise forms.ValidationError(_("找不到编号为“%(code)s”的诉求（或您无权查看它）") % {"code": code})
        return target

    def perform(self, data):
        return svc.case_merge(case=self.case, into=data["into"], actor=self.user, note=data["note"])


class DispatchForm(ActionForm):
    """派单/转派 to a unit serving the case's place, or to a team the user may dispatch to."""

    action = "dispatch"
    to_unit = forms.ChoiceField(label=_("派给承办单位"), required=False, error_messages={
        "invalid_choice": _("该单位的服务区域不包括诉求所在地（或不存在），请从列表中选择")})
    to_area = forms.ChoiceField(label=_("或派给网格/社区/街道"), required=False, error_messages={
        "invalid_choice": _("只能派给包含该诉求、且在您负责范围内的网格/社区/街道")})
    to_user = forms.ChoiceField(label=_("或派给党员个人接单"), required=False, error_messages={
        "invalid_choice": _("只能派给在本社区报到接单的党员，请从列表中选择")})
    note = text_field(_("派单说明（选填）"))

    def setup(self):
        suggested = {u.pk for u in selectors.duty_suggestions([self.case]).get(self.case.pk, [])}
        units = sorted(selectors.dispatch_units_for(self.case), key=lambda u: u.pk not in suggested)
        self.units = {str(u.pk): u for u in units}
        self.teams = {a.code: a for a in selectors.dispatch_teams_for(self.user, self.case)}
        self.fields["to_unit"].choices = [("", "—")] + [unit_choice(u, suggested) for u in units]
        self.fields["to_area"].choices = [("", "—")] + [(a.code, f"{a.name}（{a.get_level_display()}）")
                                                        for a in self.teams.values()]
        self.members = {str(u.pk): u for u in selectors.dispatch_members_for(self.case)}
        if self.members:
            self.fields["to_user"].choices = [("", "—")] + [(k, str(u)) for k, u in self.members.items()]
        else:  # nobody registered to take cases here: no empty drop-down
            del self.fields["to_user"]
        self.suggested = [u for u in units if u.pk in suggested]

    def clean(self):
        data = super().clean()
        chosen = [k for k in ("to_unit", "to_area", "to_user") if data.get(k)]
        if not self.errors and len(chosen) != 1:
            raise forms.ValidationError(_("请选择承办单位、责任网格/社区/街道或接单党员（选一项）"))
        return data

    def perform(self, data):
        service = svc.case_reassign if self.action == "reassign" else svc.case_dispatch
        return service(case=self.case, actor=self.user, note=data["note"],
                       to_unit=self.units.get(data["to_unit"]), to_area=self.teams.get(data["to_area"]),
                       to_user=self.members.get(data.get("to_user") or ""))


class ReassignForm(DispatchForm):
    action = "reassign"
    to_unit = forms.ChoiceField(label=_("转派给承办单位"), required=False,
                                error_messages=DispatchForm.base_fields["to_unit"].error_messages)
    note = text_field(_("转派说明（选填）"))


def _future(value: datetime | None, label) -> datetime | None:
    if value is not None and value <= timezone.now():
        raise forms.ValidationError(_("%(label)s应晚于现在") % {"label": label})
    return value


class ExtendForm(ActionForm):
    """延期: the dispatcher grants more time — what the holder asked for (prefilled), or another."""

    action = "extend"
    field_map = {"note": "reason"}
    until = forms.DateTimeField(label=_("延期至"), required=False, widget=DateTimeInput(),
                                error_messages={"invalid": _("请填写正确的日期和时间")})
    reason = text_field(_("延期理由"), required=True)

    def setup(self):
        if self.case.extension_requested_until:
            self.initial["until"] = timezone.localtime(self.case.extension_requested_until)
            self.fields["until"].help_text = _("承办方申请延期至 %(t)s；留空即按申请批准") % {
                "t": timezone.localtime(self.case.extension_requested_until).strftime("%Y-%m-%d %H:%M")}

    def clean_until(self):
        value = self.cleaned_data["until"]
        if value is None and self.case.extension_requested_until is None:
            raise forms.ValidationError(_("请填写新的办理时限"))
        return _future(value, _("延期时限"))

    def perform(self, data):
        return svc.case_extend(case=self.case, until=data["until"], actor=self.user, reason=data["reason"])


class RequestExtensionForm(ExtendForm):
    """申请延期: the holder asks the dispatcher for more time."""

    action = "request_extension"
    until = forms.DateTimeField(label=_("申请延期至"), widget=DateTimeInput(),
                                error_messages={"required": _("请填写希望延期到的时间"),
                                                "invalid": _("请填写正确的日期和时间")})

    def setup(self):
        pass

    def clean_until(self):
        return _future(self.cleaned_data["until"], _("延期时限"))

    def perform(self, data):
        return svc.case_request_extension(case=self.case, until=data["until"], reason=data["reason"],
                                          actor=self.user)


class ParkForm(ActionForm):
    action = "park"
    field_map = {"note": "reason"}
    until = forms.DateField(label=_("复查日期"), widget=DateInput(),
                            error_messages={"required": _("请填写复查日期"), "invalid": _("请填写正确的日期")})
    reason = text_field(_("挂账原因"), required=True)

    def clean_until(self):
        value = self.cleaned_data["until"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("复查日期应晚于今天"))
        return value

    def perform(self, data):
        return svc.case_park(case=self.case, until=data["until"], actor=self.user, reason=data["reason"])


class WhistleForm(ActionForm):
    """吹哨报到: a lead unit, assisting units, a task per unit, a deadline for the tasks."""

    action = "whistle"
    lead = forms.ChoiceField(label=_("牵头单位"), widget=forms.RadioSelect, error_messages={
        "required": _("请选择牵头单位"), "invalid_choice": _("牵头单位须是本区县的单位，请从列表中选择")})
    assisting = forms.MultipleChoiceField(label=_("协办单位"), required=False, widget=forms.CheckboxSelectMultiple,
                                          error_messages={"invalid_choice": _("协办单位须是本区县的单位，请从列表中选择")})
    deadline = forms.DateTimeField(label=_("任务时限（选填）"), required=False, widget=DateTimeInput(),
                                   error_messages={"invalid": _("请填写正确的日期和时间")})
    note = text_field(_("吹哨说明"), help_text=_("未单独填写任务的单位，以此说明作为任务"))

    def setup(self):
        self.units = {str(u.pk): u for u in selectors.whistle_units_for(self.case)}
        choices = [(pk, u.name) for pk, u in self.units.items()]
        self.fields["lead"].choices = choices
        self.fields["assisting"].choices = choices
        for pk in self.units:
            self.fields[f"task_{pk}"] = forms.CharField(
                label=_("任务"), required=False, max_length=2000,
                error_messages={"max_length": _("任务不能超过2000个字")})

    def unit_rows(self):
        """(unit, its lead radio, its assisting checkbox, its task input) for the form's table."""
        leads = {w.data["value"]: w for w in self["lead"]}
        assists = {w.data["value"]: w for w in self["assisting"]}
        return [(u, leads.get(pk), assists.get(pk), self[f"task_{pk}"]) for pk, u in self.units.items()]

    def clean_deadline(self):
        return _future(self.cleaned_data.get("deadline"), _("任务时限"))

    def clean(self):
        data = super().clean()
        lead, assisting = data.get("lead"), data.get("assisting") or []
        if lead and lead in assisting:
            self.add_error("assisting", _("牵头单位不能同时是协办单位"))
        return data

    def perform(self, data):
        lead = self.units[data["lead"]]
        assisting = [self.units[pk] for pk in data["assisting"]]
        tasks = {u.pk: data.get(f"task_{u.pk}", "").strip() or data["note"] for u in (lead, *assisting)}
        return svc.case_whistle(case=self.case, lead=lead, assisting=assisting, actor=self.user,
                                note=data["note"], tasks=tasks, deadline=data["deadline"])


class ReplyForm(ActionForm):
    action = "reply"
    reply = text_field(_("答复内容"), required=True, rows=5, help_text=_("居民将在进度查询页看到答复"))
    public = forms.BooleanField(label=_("居民可见"), required=False, initial=True)
    field_map = {"note": "reply"}

    def perform(self, data):
        return svc.case_reply(case=self.case, reply=data["reply"], actor=self.user, public=data["public"])


class RateForm(ActionForm):
    action = "rate"
    button = _("记录回访评价")
    rating = forms.ChoiceField(label=_("回访评价"), choices=Rating.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("请选择：满意、基本满意或不满意"),
                                               "invalid_choice": _("请选择：满意、基本满意或不满意")})
    comment = text_field(_("居民意见（选填）"))
    field_map = {"note": "comment"}

    @property
    def label(self) -> str:
        return str(_("回访"))

    def perform(self, data):
        return svc.case_rate(case=self.case, rating=data["rating"], actor=self.user, comment=data["comment"])


class CommentForm(NoteForm):
    action = "comment"
    button = _("添加备注")
    note = text_field(_("内部备注"), required=True, help_text=_("仅工作人员可见"))

    def perform(self, data):
        return svc.case_comment(case=self.case, actor=self.user, note=data["note"])


class TaskReplyForm(ActionForm):
    """An assisting unit answers its whistle task."""

    action = "task_reply"
    task = forms.ChoiceField(label=_("任务"), error_messages={
        "required": _("请选择要回复的任务"), "invalid_choice": _("只能回复本单位尚未回复的吹哨任务")})
    reply = text_field(_("回复内容"), required=True, rows=4)
    field_map = {"note": "reply"}

    def setup(self):
        self.tasks = {str(t.pk): t for t in selectors.open_tasks_for(self.user, self.case)}
        self.fields["task"].choices = [(pk, f"{t.unit.name}：{t.task[:40]}") for pk, t in self.tasks.items()]
        if len(self.tasks) == 1:
            self.initial["task"] = next(iter(self.tasks))

    def perform(self, data):
        task: WhistleTask = self.tasks[data["task"]]
        return svc.whistle_task_reply(task=task, reply=data["reply"], actor=self.user)


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "accept": _note_form("accept", "case_accept"),
    "start": _note_form("start", "case_start"),
    "take": _note_form("take", "case_take"),
    "dispatch": DispatchForm,
    "reassign": ReassignForm,
    "return": ReturnForm,
    "extend": ExtendForm,
    "park": ParkForm,
    "unpark": _note_form("unpark", "case_unpark"),
    "escalate": _note_form("escalate", "case_escalate", note_label=_("上提说明（选填）")),
    "whistle": WhistleForm,
    "reply": ReplyForm,
    "verify": _note_form("verify", "case_verify", note_label=_("核实情况（选填）")),
    "rate": RateForm,
    "reopen": ReopenForm,
    "close": _note_form("close", "case_close", note_label=_("办结说明（选填）")),
    "reject": RejectForm,
    "merge": MergeForm,
}
ACTION_FORMS.update({
    "supervise": _note_form("supervise", "case_supervise", note_label=_("督办意见"), required=True),
    "unsupervise": _note_form("unsupervise", "case_unsupervise"),
    "comment": CommentForm,
    "request_extension": RequestExtensionForm,
    "deny_extension": DenyExtensionForm,
    "task_reply": TaskReplyForm,
})


def action_form(action: str, data=None, *, case: Case, user, prefix: str | None = None) -> ActionForm:
    """The form of ``action`` (KeyError for an action the pages do not offer)."""
    return ACTION_FORMS[action](data, case=case, user=user, prefix=prefix)


# The panel's order: the usual next step first, the ones that end or undo a case last.
PANEL_ORDER = ["accept", "take", "dispatch", "start", "reassign", "reply", "task_reply", "verify", "rate",
               "request_extension", "extend", "deny_extension", "whistle", "escalate", "park", "unpark",
               "supervise", "unsupervise", "comment", "return", "reopen", "close", "reject", "merge"]


def action_forms_for(user, case: Case) -> list[ActionForm]:
    """One unbound form per action ``user`` may take on ``case`` now (``case_actions_for``)."""
    actions = [a for a in selectors.case_actions_for(user, case) if a in ACTION_FORMS]
    actions.sort(key=lambda a: PANEL_ORDER.index(a) if a in PANEL_ORDER else len(PANEL_ORDER))
    return [action_form(a, case=case, user=user, prefix=a) for a in actions]
