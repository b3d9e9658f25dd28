"""Read the names a certificate signing request asks for (runs on the controller).

`cryptography` is a dependency of ansible-core, so it is wherever the playbooks run.
"""

import base64

from ansible.errors import AnsibleFilterError

try:
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID
except ImportError:  # pragma: no cover - ansible-core always brings it
    x509 = None


def kvmatrix_csr_names(request):
    """The DNS names and IP addresses of a CertificateSigningRequest's spec.request (base64 PEM)."""
    if x509 is None:
        raise AnsibleFilterError('kvmatrix_csr_names needs the Python cryptography package')
    try:
        csr = x509.load_pem_x509_csr(base64.b64decode(str(request)))
    except ValueError as err:
        raise AnsibleFilterError('kvmatrix_csr_names: not a PEM certificate request: %s' % err)
    try:
        sans = csr.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except x509.ExtensionNotFound:
        return {'dns': [], 'ips': []}
    return {
        'dns': sorted(sans.get_values_for_type(x509.DNSName)),
        'ips': sorted(str(ip) for ip in sans.get_values_for_type(x509.IPAddress)),
    }


class FilterModule(object):
    """kvmatrix certificate filters."""

    def filters(self):
        return {'kvmatrix_csr_names': kvmatrix_csr_names}
