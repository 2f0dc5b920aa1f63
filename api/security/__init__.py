"""Who may do what: bearer tokens, roles, masked personal data and upload limits.

Roles follow the seed's 七、职责分工 and its "七个一" steps (:data:`ROLES`, :data:`ROLE_ZH`):

- ``investment`` — 招商局: registers investment intents (一口登记, the ``intents`` layer);
- ``intake`` — the intake window (受理窗口): 市场监管局 and 自然资源和规划局, who fill the 附件2
  form when an enterprise gets its licence or land, and 行政审批局 (一窗受理): create projects,
  and see the applicant's ID number and phone;
- ``utility`` — a utility's planners (``User.utility`` ∈ water, gas, heat, power, telecom): edit
  their own utility's network and plans, read the others';
- ``survey`` — the joint survey team (一同踏勘): reads;
- ``planning`` — 自然资源和规划局 issuing planning opinions (规划意见);
- ``admin`` — everything, including the base layers (:data:`BASE_LAYERS`).

Every authenticated user reads every layer, project and map (:data:`CurrentUser`); writes go
through :func:`require_roles` and :func:`check_layer_edit` / :data:`LayerEditor`.

Tokens are random (:func:`new_token`, 256 bits) and stored only as their SHA-256
(:func:`hash_token`); a request is authenticated by looking its token's hash up. Their entropy
makes a salted slow hash unnecessary: nobody can guess a token from its hash. A token may
expire (``expires_at``, ``linkplan user --expires-days``) and be revoked (:func:`revoke_user`,
``linkplan user NAME --revoke``); the development users of the demo seed (well-known ``dev-*``
tokens, ``development``) are refused in production (:func:`identify`) and revoked when a
service starts in production (:func:`disable_development_users`). A refused token is answered
401 saying why (revoked, expired, development), never with the token or its user.

Personal data of the 附件2 form (the legal representative's 身份证号 and the contact phone)
are masked (:func:`mask_intake`) for every role but ``intake`` and ``admin``
(:func:`sees_personal_data`).

Uploads are read in chunks and refused (413) as soon as they pass the limit
(:func:`read_upload`, :func:`read_body`, ``LINKPLAN_MAX_UPLOAD_MB``);
:class:`RequestSizeLimitMiddleware` refuses a larger request body before any route parses it.

Network geometry never leaves the service: Linkplan calls no geocoding or routing web service
(addresses and routes are computed locally, ``gis/address.py``, ``planning/routing.py``), and
the optional tile basemaps (天地图, OpenStreetMap, 高德) are requested by the browser by tile
column, row and zoom only; the overlays are drawn in the page and sent nowhere.

The package is split by concern:

- :mod:`api.security.principal` — the roles, :class:`Principal` and :func:`check_roles`;
- :mod:`api.security.tokens` — tokens, their hashes, and whom a token identifies;
- :mod:`api.security.users` — creating, revoking and listing users (audit-logged);
- :mod:`api.security.dependencies` — the FastAPI dependencies (:data:`CurrentUser`, …);
- :mod:`api.security.editing` — who may edit which layer and which utility's plans;
- :mod:`api.security.personal` — masking of ID and phone numbers;
- :mod:`api.security.uploads` — upload limits and :class:`RequestSizeLimitMiddleware`.
"""

from __future__ import annotations

from api.security.dependencies import (
    AdminUser,
    CurrentUser,
    IntakeUser,
    InvestmentUser,
    LayerEditor,
    PlanningUser,
    UploadLimit,
    current_user,
    layer_editor,
    require_roles,
    upload_limit,
)
from api.security.editing import can_edit_layer, can_edit_plan, check_layer_edit, check_plan_edit
from api.security.personal import mask_id_number, mask_intake, mask_phone, sees_personal_data
from api.security.principal import (
    BASE_LAYERS,
    PERSONAL_DATA_ROLES,
    PERSONAL_FIELDS,
    ROLE_ZH,
    ROLES,
    Principal,
    check_roles,
)
from api.security.tokens import (
    UNKNOWN_TOKEN,
    authenticate,
    hash_token,
    identify,
    new_token,
    utc_now,
)
from api.security.uploads import (
    RequestSizeLimitMiddleware,
    max_upload_bytes,
    read_body,
    read_upload,
)
from api.security.users import (
    create_user,
    disable_development_users,
    list_users,
    revoke_user,
    set_password,
)
from gis.errors import AuthenticationError, PermissionDeniedError, UploadTooLargeError

__all__ = [
    "BASE_LAYERS",
    "PERSONAL_DATA_ROLES",
    "PERSONAL_FIELDS",
    "ROLES",
    "ROLE_ZH",
    "UNKNOWN_TOKEN",
    "AdminUser",
    "AuthenticationError",
    "CurrentUser",
    "IntakeUser",
    "InvestmentUser",
    "LayerEditor",
    "PermissionDeniedError",
    "PlanningUser",
    "Principal",
    "RequestSizeLimitMiddleware",
    "UploadLimit",
    "UploadTooLargeError",
    "authenticate",
    "can_edit_layer",
    "can_edit_plan",
    "check_layer_edit",
    "check_plan_edit",
    "check_roles",
    "create_user",
    "current_user",
    "disable_development_users",
    "hash_token",
    "identify",
    "layer_editor",
    "list_users",
    "mask_id_number",
    "mask_intake",
    "mask_phone",
    "max_upload_bytes",
    "new_token",
    "read_body",
    "read_upload",
    "require_roles",
    "revoke_user",
    "sees_personal_data",
    "set_password",
    "upload_limit",
    "utc_now",
]
