// Show only the organisation field that fits the chosen role (producer kind or buyer type).
(function () {
  const radios = document.querySelectorAll('input[name="role"]');
  function update() {
    const chosen = document.querySelector('input[name="role"]:checked');
    const role = chosen ? chosen.value : 'exhibitor';
    document.querySelectorAll('[data-role]').forEach(function (el) {
      el.hidden = el.dataset.role !== role;
    });
  }
  radios.forEach(function (r) { r.addEventListener('change', update); });
  update();
})();
