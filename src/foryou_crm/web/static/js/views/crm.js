// The CRM page: amoCRM connection status, connect / disconnect, first-sync progress, leads.
import { api } from "../api.js";
import { startConnect } from "../connect.js";
import { $, fromTemplate, setText, show } from "../dom.js";
import { explainApiError } from "../errors.js";
import { accountCurrency, formatDate } from "../format.js";
import { has, serverText, t } from "../i18n.js";
import { createLeads } from "./leads.js";

const SYNC_POLL_MS = 1500;

/**
 * The user has a connection row, usable or not. The service reports a connection whose
 * refresh token amoCRM refused as {connected: false, needsReconnect: true, domain…}: its
 * mirrored leads stay readable and it can be reconnected or removed.
 */
function isLinked(status) {
  return Boolean(status?.connected || status?.needsReconnect);
}

/**
 * Why the connection ended (status.ended: the agent's disconnect, amoCRM's uninstall hook, a
 * refused refresh, an administrator), in words, with when and which account; "" if nothing ended.
 */
export function endedSentence(ended) {
  if (!ended) return "";
  const key = has(`ended.${ended.reason}`) ? `ended.${ended.reason}` : "ended.other";
  return t(key, { domain: ended.domain ?? "", at: formatDate(ended.at) });
}

/**
 * A sync is under way, or about to be: right after exchange-code the first sync is only
 * scheduled (state "idle", never synced yet), and the list would otherwise stay empty.
 * No sync info at all (mirror not wired) is not "busy" — there is nothing to wait for.
 */
function syncBusy(status) {
  const sync = status?.connected && !status.needsReconnect ? status.sync : null;
  if (!sync) return false;
  const active = sync.state === "running" || sync.state === "queued";
  return active || (sync.state !== "failed" && !sync.lastSyncedAt);
}

export function renderCrm(root, { initialStatus } = {}) {
  root.replaceChildren(fromTemplate("tpl-crm"));
  const el = {
    status: $("#amo-status", root),
    domainRow: $("#amo-domain-row", root),
    domain: $("#amo-domain", root),
    accountRow: $("#amo-account-row", root),
    accountId: $("#amo-account-id", root),
    accountNameRow: $("#amo-account-name-row", root),
    accountName: $("#amo-account-name", root),
    ended: $("#amo-ended", root),
    error: $("#amo-error", root),
    connect: $("#connect-amo", root),
    disconnect: $("#disconnect-amo", root),
    syncBox: $("#sync-box", root),
    syncLabel: $("#sync-label", root),
    syncProgress: $("#sync-progress", root),
    syncFailed: $("#sync-failed", root),
    syncFailedText: $("#sync-failed-text", root),
    syncRetry: $("#sync-retry", root),
  };
  const dialog = $("#disconnect-dialog");
  const leads = createLeads(root);
  let status = null;
  let disposed = false;
  let pollTimer = null;
  let errorKey = null; // last error shown in #amo-error, kept as data so it can be re-translated

  function apply(next) {
    if (disposed) return;
    const previous = status;
    status = next;
    render();
    // One log line per actual change, not per poll tick.
    if (JSON.stringify(previous) !== JSON.stringify(next)) console.info("status updated");

    if (isLinked(next)) {
      const syncFinished = syncBusy(previous) && !syncBusy(next);
      // While the first sync runs, refresh the list as progress moves so leads appear early;
      // otherwise reload only when something about the data could have changed.
      const progressed =
        next.sync?.state === "running" && previous?.sync?.progress !== next.sync?.progress;
      leads.setCurrency(accountCurrency(next));
      leads.activate({ refreshMeta: syncFinished || progressed, reload: syncFinished || progressed });
    } else {
      leads.deactivate();
    }
    schedulePoll();
  }

  function render() {
    if (!status) {
      setText(el.status, t("crm.loading"));
      el.status.dataset.state = "loading";
      return;
    }
    const linked = isLinked(status);
    const reconnect = Boolean(status.needsReconnect);
    const connected = Boolean(status.connected) && !reconnect;
    const state = connected ? "connected" : reconnect ? "reconnect" : "disconnected";
    const label = { connected: "crm.connected", reconnect: "crm.lost", disconnected: "crm.notConnected" };
    setText(el.status, t(label[state]));
    el.status.dataset.state = state;
    setText(el.domain, status.domain);
    show(el.domainRow, linked && Boolean(status.domain));
    setText(el.accountId, status.accountId);
    show(el.accountRow, linked && Boolean(status.accountId));
    setText(el.accountName, status.accountName);
    show(el.accountNameRow, linked && Boolean(status.accountName));
    const ended = endedSentence(status.ended);
    setText(el.ended, ended);
    show(el.ended, Boolean(ended));
    show(el.connect, !connected);
    // The next step after any ending: connect again.
    setText(el.connect, t(reconnect || ended ? "crm.reconnect" : "crm.connect"));
    show(el.disconnect, linked);

    const sync = status.sync ?? {};
    const running = syncBusy(status);
    show(el.syncBox, running);
    if (running) {
      const progress = Math.min(1, Math.max(0, Number(sync.progress) || 0));
      el.syncProgress.value = progress;
      setText(el.syncLabel, t("sync.runningPercent", { percent: Math.round(progress * 100) }));
    }
    const failed = connected && sync.state === "failed";
    show(el.syncFailed, failed);
    // The sync's reason is the server's English prose: shown only on the English screen.
    const detail = failed ? serverText(sync.error) : "";
    if (failed) setText(el.syncFailedText, detail ? t("sync.failedWith", { detail }) : t("sync.failed"));
  }

  function showError(key) {
    errorKey = key;
    setText(el.error, key ? (typeof key === "string" ? t(key) : explainApiError(key)) : "");
    show(el.error, Boolean(key));
  }

  async function refresh() {
    try {
      apply(await api("/api/amo-crm/status"));
      if (errorKey === "crm.statusFailed") showError(null);
    } catch (error) {
      if (error.status === 401 || disposed) return; // main.js has taken over
      showError("crm.statusFailed");
      schedulePoll(true);
    }
  }

  function schedulePoll(force = false) {
    clearTimeout(pollTimer);
    pollTimer = null;
    if (disposed) return;
    if (force || syncBusy(status)) pollTimer = setTimeout(refresh, SYNC_POLL_MS);
  }

  el.connect.addEventListener("click", async () => {
    el.connect.disabled = true;
    setText(el.connect, t("crm.connecting"));
    showError(null);
    try {
      await startConnect(); // navigates away on success
    } catch (error) {
      if (error.status !== 401) showError(error);
      el.connect.disabled = false;
      render();
    }
  });

  el.disconnect.addEventListener("click", () => {
    dialog.returnValue = "";
    dialog.showModal();
    // Safer default: focus "Cancel", so Enter does not disconnect by accident.
    $("#disconnect-cancel", dialog).focus();
  });

  const onDialogClose = async () => {
    if (disposed || dialog.returnValue !== "confirm") return;
    el.disconnect.disabled = true;
    showError(null);
    try {
      apply(await api("/api/amo-crm/disconnect", { method: "POST" }));
      el.connect.focus();
    } catch (error) {
      if (error.status !== 401) showError(error);
    } finally {
      el.disconnect.disabled = false;
    }
  };
  dialog.addEventListener("close", onDialogClose);

  el.syncRetry.addEventListener("click", async () => {
    el.syncRetry.disabled = true;
    try {
      const sync = await api("/api/amo-crm/sync", { method: "POST" });
      apply({ ...status, sync });
    } catch (error) {
      if (error.status !== 401) showError(error);
    } finally {
      el.syncRetry.disabled = false;
    }
  });

  const onLang = () => {
    render();
    if (errorKey) showError(errorKey);
  };
  window.addEventListener("langchange", onLang);

  render();
  if (initialStatus) apply(initialStatus);
  else refresh();

  return () => {
    disposed = true;
    clearTimeout(pollTimer);
    leads.dispose();
    dialog.removeEventListener("close", onDialogClose);
    window.removeEventListener("langchange", onLang);
    if (dialog.open) dialog.close();
  };
}
