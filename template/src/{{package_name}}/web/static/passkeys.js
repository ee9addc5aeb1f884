// Passkeys in the browser: signing in with one on /login, adding one on /account. The app's one
// script; the pages that load it show its buttons only where the browser has WebAuthn.
"use strict";

(() => {
  if (!window.PublicKeyCredential) return;

  const fromBase64url = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "="));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0)).buffer;
  };
  const toBase64url = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");

  // The server's options (JSON, base64url) as WebAuthn takes them, and the browser's answer as
  // JSON for the server.
  const withIds = (list) => (list || []).map((item) => ({ ...item, id: fromBase64url(item.id) }));
  const creationOptions = (options) => ({
    ...options,
    challenge: fromBase64url(options.challenge),
    user: { ...options.user, id: fromBase64url(options.user.id) },
    excludeCredentials: withIds(options.excludeCredentials),
  });
  const requestOptions = (options) => ({
    ...options,
    challenge: fromBase64url(options.challenge),
    allowCredentials: withIds(options.allowCredentials),
  });
  const answer = (credential) => {
    const response = credential.response;
    const json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      json.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
    }
    return json;
  };

  const post = async (url, body, form) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": form.elements.csrf_token.value },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(data.detail || "Something went wrong."), data);
    return data;
  };
  const say = (form, text) => {
    const message = form.querySelector("[data-message]");
    message.className = "message error";
    message.textContent = text;
    message.hidden = false;
  };
  // The browser's own refusals (the user cancelled, no passkey here) get one plain sentence.
  const explain = (error) =>
    error instanceof DOMException
      ? "No passkey was used. You can try again, or use your password."
      : error.message;

  // Signing in, or confirming it is you: the form's action takes the answer to the sign-in
  // options and says where to go next.
  for (const form of document.querySelectorAll("form[data-passkey-get]")) {
    form.closest("[data-passkey]").hidden = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const options = await post("/api/auth/passkey/options", {}, form);
        const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
        const body = { credential: answer(credential), next: form.elements.next.value };
        const done = await post(form.action, body, form);
        window.location.assign(done.next);
      } catch (error) {
        say(form, explain(error));
      }
    });
  }

  const add = document.getElementById("passkey-add");
  if (add) {
    add.hidden = false;
    add.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const options = await post("/api/account/passkeys/options", {}, add);
        const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
        await post("/api/account/passkeys", { credential: answer(credential), name: add.elements.name.value }, add);
        window.location.hash = "passkeys";
        window.location.reload();
      } catch (error) {
        if (error.error === "reauthentication_required") {
          window.location.assign("/reauthenticate?next=/account");
          return;
        }
        say(add, explain(error));
      }
    });
  }
})();
