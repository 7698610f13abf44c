"""The web application: the pages staff, school leaders, academies and boards use, in
Dutch (or English), signed in with OpenID Connect. A backend for the frontend: it keeps
sessions and mail, and reaches every record through the three services' APIs with the
signed-in person's own token, so that their policy decides what each person sees."""
