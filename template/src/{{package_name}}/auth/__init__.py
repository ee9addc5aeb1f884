"""Who is signed in: issuing, recognising and ending sign-ins, plus CSRF and throttling."""
