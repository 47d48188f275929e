"""Sign-in, roles and access-control messages."""

from __future__ import annotations

AUTH: dict[str, dict[str, str]] = {
    "auth.title": {"zh-CN": "登录 · 民情地图", "en": "Sign in · MinQing Map"},
    "auth.brand": {"zh-CN": "民情地图", "en": "MinQing Map"},
    "auth.heading": {"zh-CN": "账号登录", "en": "Sign in"},
    "auth.username": {"zh-CN": "用户名", "en": "Username"},
    "auth.password": {"zh-CN": "密码", "en": "Password"},
    "auth.submit": {"zh-CN": "登录", "en": "Sign in"},
    "auth.logout": {"zh-CN": "退出登录", "en": "Sign out"},
    "auth.notice": {
        "zh-CN": "仅限授权人员使用，所有访问均记录审计日志",
        "en": "Authorised staff only; every access is audited",
    },
    "auth.switch_lang": {"zh-CN": "English", "en": "中文"},
    "auth.scope_city": {"zh-CN": "全市", "en": "Whole city"},
    "auth.forbidden_title": {"zh-CN": "无权访问", "en": "Access denied"},
    "auth.forbidden_home": {"zh-CN": "返回我的首页", "en": "Back to my home screen"},
    "auth.signed_in_as": {
        "zh-CN": "当前账号：{name}（{role}）",
        "en": "Signed in as {name} ({role})",
    },
    "error.bad_credentials": {
        "zh-CN": "用户名或密码错误；连续输错多次后账号将锁定 {minutes} 分钟",
        "en": "Wrong username or password; after repeated failures an account is locked "
        "for {minutes} minutes",
    },
    "error.signin.throttled": {
        "zh-CN": "此处登录失败次数过多，请 {minutes} 分钟后再试",
        "en": "Too many failed sign-ins from here; try again in {minutes} minutes",
    },
    "error.login_required": {"zh-CN": "请先登录", "en": "Please sign in"},
    "error.session_idle": {
        "zh-CN": "长时间未操作，会话已超时，请重新登录",
        "en": "Your session timed out after inactivity; please sign in again",
    },
    "error.session_expired": {
        "zh-CN": "会话已过期，请重新登录",
        "en": "Your session has expired; please sign in again",
    },
    "error.csrf": {
        "zh-CN": "请求校验失败（CSRF），请刷新页面后重试",
        "en": "Request check failed (CSRF); reload the page and try again",
    },
    "error.forbidden": {"zh-CN": "当前角色无权进行此操作", "en": "Your role may not do this"},
    "error.out_of_scope": {
        "zh-CN": "该对象不在您的管辖范围内",
        "en": "This is outside your area of responsibility",
    },
    "error.export_column": {
        "zh-CN": "字段 {column} 按数据分级规则不允许由当前角色导出",
        "en": "By the data classification rules, your role may not export {column}",
    },
    "error.weak_password": {
        "zh-CN": "密码至少 {n} 位，且须包含大写字母、小写字母、数字、符号中的三类",
        "en": "Passwords need at least {n} characters from three of: upper case, lower case, digits, symbols",
    },
    "error.user_exists": {
        "zh-CN": "用户名“{username}”已存在",
        "en": "Username '{username}' already exists",
    },
    "error.reason_required": {
        "zh-CN": "查看明文须填写查看事由（至少 {n} 个字）",
        "en": "Showing personal data in clear needs a reason (at least {n} characters)",
    },
    "role.sysadmin": {"zh-CN": "系统管理员", "en": "System administrator"},
    "role.secadmin": {"zh-CN": "安全管理员", "en": "Security administrator"},
    "role.auditor": {"zh-CN": "审计员", "en": "Auditor"},
    "role.commander": {"zh-CN": "指挥中心", "en": "Command centre"},
    "role.supervisor": {"zh-CN": "街道/社区督导", "en": "Supervisor"},
    "role.grid_worker": {"zh-CN": "网格员", "en": "Grid worker"},
    "role.dept_staff": {"zh-CN": "部门人员", "en": "Department staff"},
    "role.wall": {"zh-CN": "指挥大屏", "en": "Wall screen"},
    "role.none": {"zh-CN": "待分配角色", "en": "No role yet"},
    "error.no_role": {
        "zh-CN": "您的账号尚未分配角色，请联系安全管理员分配角色和管辖区域",
        "en": "Your account has no role yet; ask the security administrator for one",
    },
    "error.password_change_required": {
        "zh-CN": "请先修改管理员为您设置的密码",
        "en": "First replace the password an administrator set for you",
    },
    # --- changing one's own password (/password) ---
    "password.title": {"zh-CN": "修改密码 · 民情地图", "en": "Change password · MinQing Map"},
    "password.heading": {"zh-CN": "修改密码", "en": "Change your password"},
    "password.forced": {
        "zh-CN": "您的密码由管理员设置，继续使用前请设置只有您知道的新密码。",
        "en": "An administrator set your password: choose one only you know to go on.",
    },
    "password.current": {"zh-CN": "当前密码", "en": "Current password"},
    "password.new": {"zh-CN": "新密码", "en": "New password"},
    "password.repeat": {"zh-CN": "再次输入新密码", "en": "New password again"},
    "password.submit": {"zh-CN": "保存新密码", "en": "Save the new password"},
    "password.done": {
        "zh-CN": "密码已修改，其他设备上的登录已退出",
        "en": "Password changed; your other sessions were signed out",
    },
    "error.password.bad_form": {
        "zh-CN": "表单内容不正确，请刷新页面后重试",
        "en": "Malformed form; reload the page and try again",
    },
    "error.password.wrong_current": {
        "zh-CN": "当前密码不正确",
        "en": "The current password is wrong",
    },
    "error.password.same": {
        "zh-CN": "新密码不能与当前密码相同",
        "en": "The new password must differ from the current one",
    },
    "error.password.mismatch": {
        "zh-CN": "两次输入的新密码不一致",
        "en": "The two new passwords differ",
    },
}
