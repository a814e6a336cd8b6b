// The browser client of JwtFunctions in cookie mode (Jwt__TokenLocation=cookies): plain
// JavaScript, no build step. The tokens live in HttpOnly cookies this script never sees; every
// call sends them with credentials: "include" (the API must list this page's origin in CORS with
// credentials). Unsafe requests copy the readable CSRF cookie into X-CSRF-TOKEN (double submit,
// flask-jwt-extended's names). The access token is refreshed silently before it expires.
"use strict";

const api = (new URLSearchParams(location.search).get("api") || "http://localhost:7071/api").replace(/\/$/, "");
const $ = (id) => document.getElementById(id);
let refreshTimer = 0;
let refreshes = 0;

// The CSRF cookies are set by the API's host; cookies are per host, not per port, so a page
// served from the same host (any port) reads them here.
function cookie(name) {
  const pair = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return pair ? decodeURIComponent(pair.slice(name.length + 1)) : "";
}

async function call(method, path, { body, csrf } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrf) headers["X-CSRF-TOKEN"] = cookie(csrf);
  try {
    return await fetch(api + path, { method, headers, credentials: "include", body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    // A network failure and a CORS refusal look the same to a script, by design.
    throw new Error("The API could not be reached (network error or this origin is not allowed by CORS).");
  }
}

async function describe(response) {
  try {
    const error = await response.json();
    return `${response.status} ${error.error}: ${error.error_description}`;
  } catch {
    return `${response.status}`;
  }
}

function show(signedIn, user = "") {
  $("state").textContent = signedIn ? "signed-in" : "signed-out";
  $("user").textContent = user;
  $("session").hidden = !signedIn;
  $("signin-form").hidden = signedIn;
  if (!signedIn) clearTimeout(refreshTimer);
}

function scheduleRefresh(expiresIn) {
  clearTimeout(refreshTimer);
  // At three quarters of the lifetime: well before expiry, even for a one-minute token.
  refreshTimer = setTimeout(refresh, Math.max(1, expiresIn * 750));
}

async function refresh() {
  try {
    const response = await call("POST", "/v1.0/refresh", { csrf: "csrf_refresh_token" });
    if (!response.ok) {
      show(false);
      $("error").textContent = "Session ended: " + (await describe(response));
      return false;
    }
    const grant = await response.json();
    $("refreshes").textContent = String(++refreshes);
    scheduleRefresh(grant.expires_in);
    return true;
  } catch (e) {
    $("error").textContent = e.message;
    return false;
  }
}

async function loadUser() {
  const response = await call("GET", "/v1.0/protected");
  if (response.ok) {
    show(true, (await response.json()).username);
    return true;
  }
  show(false);
  $("error").textContent = await describe(response);
  return false;
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("error").textContent = "";
  try {
    const response = await call("POST", "/v1.0/login", { body: { username: $("username").value, password: $("password").value } });
    if (!response.ok) {
      $("error").textContent = await describe(response);
      return;
    }
    const grant = await response.json();
    scheduleRefresh(grant.expires_in);
    await loadUser();
  } catch (e) {
    $("error").textContent = e.message;
  }
});

$("check").addEventListener("click", async () => {
  $("error").textContent = "";
  try {
    await loadUser();
  } catch (e) {
    $("error").textContent = e.message;
  }
});

$("signout").addEventListener("click", async () => {
  $("error").textContent = "";
  try {
    const response = await call("POST", "/v1.0/logout", { csrf: "csrf_access_token" });
    if (response.status !== 204) {
      $("error").textContent = await describe(response);
    }
    show(false);
  } catch (e) {
    $("error").textContent = e.message;
  }
});

$("api").textContent = api;
show(false);
