// The upload form refuses a file over the limit before sending it: the server would refuse it too (413),
// after the officer waited for the whole file to go up. Everything else is checked on the server.
(function () {
  const form = document.querySelector('form[data-testid="attachment-form"]');
  if (!form) return;
  const input = form.querySelector('input[type="file"]');
  const check = form.querySelector('[data-testid="attachment-check"]');
  const max = Number(form.dataset.maxBytes);
  function tooLarge() {
    const file = input.files && input.files[0];
    const over = Boolean(file && max && file.size > max);
    check.textContent = over ? form.dataset.tooLarge : '';
    check.hidden = !over;
    return over;
  }
  input.addEventListener('change', tooLarge);
  form.addEventListener('submit', function (event) { if (tooLarge()) event.preventDefault(); });
})();
