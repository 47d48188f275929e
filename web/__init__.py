"""The web shell around Dash: sign-in, sessions, CSRF, security headers."""
