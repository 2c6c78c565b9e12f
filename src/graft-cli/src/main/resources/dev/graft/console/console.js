// Graft console: the edit buttons send their request with the bearer token in the Authorization header (never a
// cookie, so another site cannot make the browser send it: CSRF-safe). The token stays in this tab's sessionStorage.
(function () {
  'use strict';
  var field = document.getElementById('token');
  var result = document.getElementById('result');
  if (field) {
    field.value = sessionStorage.getItem('graft.token') || '';
    field.addEventListener('change', function () { sessionStorage.setItem('graft.token', field.value.trim()); });
  }
  function show(text, ok) {
    result.textContent = text;
    result.className = ok ? 'good' : 'bad';
  }
  document.querySelectorAll('button.api').forEach(function (button) {
    button.addEventListener('click', function () {
      var url = button.dataset.url;
      var query = [];
      (button.dataset.inputs || '').split(',').filter(Boolean).forEach(function (id) {
        var input = document.getElementById(id);
        var value = input.value.trim() || input.placeholder;
        if (url.indexOf('{' + input.name + '}') >= 0) {
          url = url.replace('{' + input.name + '}', encodeURIComponent(value));
        } else if (input.value.trim()) {
          query.push(encodeURIComponent(input.name) + '=' + encodeURIComponent(input.value.trim()));
        }
      });
      if (query.length) {
        url += (url.indexOf('?') >= 0 ? '&' : '?') + query.join('&');
      }
      if (button.dataset.method === 'DELETE' && !window.confirm('Delete this version?')) {
        return;
      }
      var token = field ? field.value.trim() : '';
      fetch(url, {method: button.dataset.method, headers: {'Authorization': 'Bearer ' + token}})
        .then(function (response) {
          return response.text().then(function (text) {
            var body = {};
            try { body = JSON.parse(text); } catch (e) { body = {error: text}; }
            if (response.ok) {
              show(button.textContent + ': done', true);
              window.setTimeout(function () {
                window.location.href = button.dataset.method === 'DELETE'
                  ? window.location.pathname.replace(/\/versions\/\d+$/, '') : window.location.href;
              }, 600);
            } else {
              show(button.textContent + ' refused (' + response.status + '): ' + (body.error || text), false);
            }
          });
        })
        .catch(function (e) { show(button.textContent + ' failed: ' + e, false); });
    });
  });
}());
