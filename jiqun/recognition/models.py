"""赛马 recognition rounds: a call, the applications to it, the expert library, assignments with their scores,
and the objections lodged during 公示."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.scoping import application_q, assignment_q, attachment_q, call_q
from jiqun.clusters.models import Tier

# The six parts of a 申报书 the documents ask for; experts score each of them.
ASPECTS: list[tuple[str, str]] = [
    ("basis", _("发展基础")),
    ("approach", _("总体思路")),
    ("goals", _("提升目标")),
    ("tasks", _("重点任务")),
    ("measures", _("具体举措")),
    ("safeguards", _("保障措施")),
]
ASPECT_CODES = [code for code, _label in ASPECTS]


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")  # being written by the province; nobody else sees it
    OPEN = "open", _("申报中")  # clusters apply until the deadline
    REVIEW = "review", _("评审中")  # applications closed; experts assigned and scoring
    PUBLICITY = "publicity", _("公示中")  # results published; objections until the end of the period
    DONE = "done", _("已完成")  # winners recognised through the cluster lifecycle services
    CANCELLED = "cancelled", _("已撤销")  # withdrawn by the province; its applications are kept read-only


class CallQuerySet(models.QuerySet):
    def for_user(self, user) -> "CallQuerySet":
        return self.filter(call_q(user)).distinct()


class Call(models.Model):
    """One 赛马 round: who may apply (programme, tier sought, thresholds), how many win, how they are scored."""

    programme = models.ForeignKey("programmes.Programme", verbose_name=_("培育工程"), on_delete=models.PROTECT,
                                  related_name="recognition_calls")
    title = models.CharField(_("名称"), max_length=120)
    tier_sought = models.CharField(_("认定层级"), max_length=12, choices=Tier.choices)
    quota = models.PositiveIntegerField(_("名额"))
    deadline = models.DateField(_("申报截止日期"))
    data_year = models.PositiveIntegerField(_("数据年度"), help_text=_("门槛与量化指标取该年度经省级审核的全年数据"))
    # {aspect code: weight}; the expert score of one expert is the weighted mean of its aspect scores.
    aspect_weights = models.JSONField(_("评审要点权重"), default=dict)
    quantitative_weight = models.DecimalField(_("量化得分权重"), max_digits=4, decimal_places=2,
                                              help_text=_("0–1；综合得分 = 量化得分 × 权重 + 专家得分 × (1 − 权重)"))
    quantitative_indicators = models.JSONField(_("量化指标"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=CallStatus.choices, default=CallStatus.DRAFT)
    objection_until = models.DateField(_("公示截止日期"), null=True, blank=True)
    created_by = models.CharField(_("发起人"), max_length=150, blank=True)
    cancel_reason = models.TextField(_("撤销原因"), blank=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-deadline", "-id"]
        verbose_name = _("赛马认定批次")
        verbose_name_plural = _("赛马认定批次")

    def __str__(self) -> str:
        return self.title


class Threshold(models.Model):
    """An eligibility threshold: the applicant's approved figure of the data year must be at least `minimum`."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="thresholds")
    indicator = models.ForeignKey("programmes.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT,
                                  related_name="+")
    minimum = models.DecimalField(_("门槛值"), max_digits=20, decimal_places=4,
                                  help_text=_("按指标的计量单位"))

    class Meta:
        ordering = ["call", "id"]
        verbose_name = _("申报门槛")
        verbose_name_plural = _("申报门槛")

    def __str__(self) -> str:
        return f"{self.indicator.name} ≥ {self.minimum.normalize():f} {self.indicator.unit}"


class ApplicationQuerySet(models.QuerySet):
    def for_user(self, user) -> "ApplicationQuerySet":
        return self.filter(application_q(user)).distinct()


class Application(models.Model):
    """A cluster's 申报书 for a call, its figures drawn from approved data, and its result."""

    call = models.ForeignKey(Call, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="applications")
    cluster = models.ForeignKey("clusters.Cluster", verbose_name=_("集群"), on_delete=models.PROTECT,
                                related_name="recognition_applications")
    applicant = models.CharField(_("申报人"), max_length=150)
    applicant_organisation = models.CharField(_("申报单位"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    basis = models.TextField(_("发展基础"))
    approach = models.TextField(_("总体思路"))
    goals = models.TextField(_("提升目标"))
    tasks = models.TextField(_("重点任务"))
    measures = models.TextField(_("具体举措"))
    safeguards = models.TextField(_("保障措施"))
    # {indicator code: {"name", "unit", "value" (text or None), "year", "sources": [{report, revision, subject}],
    #  "missing": why there is no value}}: what the approved data said when the application was made.
    figures = models.JSONField(_("量化数据"), default=dict, blank=True)
    # [{"indicator", "name", "unit", "value", "minimum", "passed", "reason"}], one per threshold.
    screen = models.JSONField(_("资格审查"), default=list, blank=True)
    eligible = models.BooleanField(_("符合申报条件"), default=False)
    quantitative_score = models.DecimalField(_("量化得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    expert_score = models.DecimalField(_("专家得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    final_score = models.DecimalField(_("综合得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    selected = models.BooleanField(_("拟认定"), default=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["call", "rank", "cluster__name"]
        unique_together = [("call", "cluster")]
        verbose_name = _("认定申报")
        verbose_name_plural = _("认定申报")

    def __str__(self) -> str:
        return f"{self.cluster} · {self.call}"

    def aspect_texts(self) -> list[tuple[str, str, str]]:
        return [(code, label, getattr(self, code)) for code, label in ASPECTS]


class Expert(models.Model):
    """One reviewer of the province's expert library; `user` is its 评审专家 account, when it has one."""

    name = models.CharField(_("姓名"), max_length=50)
    field = models.CharField(_("专业领域"), max_length=100)
    organisation = models.CharField(_("工作单位"), max_length=200)
    city = models.ForeignKey("regions.Region", verbose_name=_("所在城市"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    user = models.OneToOneField("accounts.User", verbose_name=_("评审专家账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="expert_profile")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("评审专家")
        verbose_name_plural = _("专家库")

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"


class Conflict(models.Model):
    """A conflict of interest an expert declared: with a cluster, or with an organisation (by name)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    cluster = models.ForeignKey("clusters.Cluster", verbose_name=_("集群"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    organisation = models.CharField(_("单位"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        ordering = ["expert", "id"]
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")

    def __str__(self) -> str:
        return f"{self.expert.name}: {self.cluster or self.organisation}"


class AssignmentQuerySet(models.QuerySet):
    def for_user(self, user) -> "AssignmentQuerySet":
        return self.filter(assignment_q(user))


class Assignment(models.Model):
    """One expert reviewing one application; `scores` is {aspect: {"score": "85", "comment": "…"}}."""

    application = models.ForeignKey(Application, verbose_name=_("申报"), on_delete=models.CASCADE,
                                    related_name="assignments")
    expert = models.ForeignKey(Expert, verbose_name=_("专家"), on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.CharField(_("分配人"), max_length=150, blank=True)
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)
    scores = models.JSONField(_("评分"), default=dict, blank=True)
    total = models.DecimalField(_("加权得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # Counts the saves of the scores: a form or API call based on an older count is refused as stale.
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["application", "expert__name"]
        unique_together = [("application", "expert")]
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")

    def __str__(self) -> str:
        return f"{self.expert.name} → {self.application.cluster}"


class Objection(models.Model):
    """An objection received during 公示, and the province's answer."""

    application = models.ForeignKey(Application, verbose_name=_("申报"), on_delete=models.CASCADE,
                                    related_name="objections")
    objector = models.CharField(_("异议人"), max_length=100)
    content = models.TextField(_("异议内容"))
    received_on = models.DateField(_("收到日期"))
    recorded_by = models.CharField(_("登记人"), max_length=150)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.CharField(_("答复人"), max_length=150, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self) -> str:
        return f"{self.objector}: {self.application}"


class AttachmentQuerySet(models.QuerySet):
    def for_user(self, user) -> "AttachmentQuerySet":
        return self.filter(attachment_q(user)).distinct()


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Where the file lies under MEDIA_ROOT: a name made by the service, never the user's."""
    return f"recognition/attachments/{instance.application_id}/{filename}"


class Attachment(models.Model):
    """A file attached to an application (PDF, Word, Excel, JPEG or PNG), checked by its content."""

    application = models.ForeignKey(Application, verbose_name=_("申报"), on_delete=models.CASCADE,
                                    related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=120, help_text=_("上传时的文件名，已去掉路径和不可见字符"))
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.CharField(_("上传人"), max_length=150)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["application", "uploaded_at", "id"]
        verbose_name = _("申报附件")
        verbose_name_plural = _("申报附件")

    def __str__(self) -> str:
        return self.name
