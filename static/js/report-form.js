// The progress report form: autosave, "unsaved changes" warning, answered counts and
// "nothing to report" clearing. The page works without it: every button posts the whole form.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var DELAY = 3000;
  var status = form.querySelector("[data-testid=autosave-status]");
  var revision = form.querySelector("input[name=revision]");
  var timer = null, inflight = null, stopped = false, submitting = false;
  // The server refused the last post (errors, or someone else's newer save): the text here is unsaved.
  var dirty = form.dataset.unsaved === "true";

  function say(text, isError) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  }

  function isText(el) { return el && el.name && el.type !== "file" && el.name !== "revision"; }

  // --- autosave ---------------------------------------------------------------------------------
  function save() {
    timer = null;
    if (stopped || submitting || !dirty) { return Promise.resolve(); }
    var data = new FormData(form);
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) { data.delete(input.name); });
    data.set("intent", "autosave");
    dirty = false;
    say(form.dataset.msgSaving);
    inflight = fetch(window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}
    }).then(function (response) {
      return response.json().then(function (body) { return {response: response, body: body}; });
    }).then(function (result) {
      if (result.response.ok && result.body.ok) {
        revision.value = result.body.revision;
        say(result.body.message);
        return;
      }
      dirty = true;  // still not saved
      say(result.body.message, true);
      if (result.response.status === 409 || result.response.status === 403) {
        stopped = true;  // someone else's save wins: never overwrite it, keep the text here
      }
    }).catch(function () {
      dirty = true;
      say(form.dataset.msgOffline, true);
    }).then(function () { inflight = null; });
    return inflight;
  }

  function changed(event) {
    if (!isText(event.target)) { return; }
    dirty = true;
    if (stopped) { return; }
    say(form.dataset.msgUnsaved);
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, DELAY);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // Any button posts the whole form (with the current revision): wait for a running autosave.
  form.addEventListener("submit", function (event) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (inflight) {
      event.preventDefault();
      var submitter = event.submitter;
      inflight.then(function () { form.requestSubmit(submitter); });
      return;
    }
    submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting || !(dirty || timer || inflight)) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  // --- answered counts and "nothing to report" --------------------------------------------------
  function answered(section) {
    var n = section.dataset.task;
    var nothing = form.querySelector("#id_t" + n + "_nothing_to_report");
    var statusField = form.querySelector("#id_t" + n + "_status");
    return (nothing && nothing.checked) || (statusField && statusField.value !== "");
  }
  function progress(text, done, total) {
    return form.dataset.progressTemplate.replace("%(answered)s", done).replace("%(total)s", total);
  }
  function recount() {
    var all = 0, total = 0;
    Array.prototype.forEach.call(form.querySelectorAll(".task-category"), function (group) {
      var done = 0, sections = group.querySelectorAll(".task-entry");
      Array.prototype.forEach.call(sections, function (section) {
        var yes = answered(section);
        var badge = section.querySelector("[data-answered-badge]");
        if (badge) {
          badge.textContent = yes ? form.dataset.labelAnswered : form.dataset.labelUnanswered;
          badge.classList.toggle("badge-ok", yes);
          badge.classList.toggle("badge-missing", !yes);
        }
        done += yes ? 1 : 0;
      });
      var count = group.querySelector(".category-count");
      if (count) { count.textContent = progress("", done, sections.length); }
      all += done; total += sections.length;
    });
    var overall = form.querySelector("[data-testid=report-progress]");
    if (overall) { overall.textContent = progress("", all, total); }
  }
  form.addEventListener("change", function (event) {
    var n = event.target.dataset.nothingToReport;
    if (n && event.target.checked) {
      // As the server does on save: no status, percent or work done for the period; the plan
      // and problems go only where they are still the previous period's text (new text stays).
      ["status", "percent", "work_done", "next_plan", "problems"].forEach(function (name) {
        var field = form.querySelector("#id_t" + n + "_" + name);
        if (!field) { return; }
        var carried = field.dataset.previous !== undefined &&
          field.value.trim() === field.dataset.previous.trim();
        if (name === "status" || name === "percent" || name === "work_done" || carried) {
          field.value = "";
        }
      });
    }
    recount();
  });
})();
