"""Address filters for the playbooks (stdlib ipaddress only, no netaddr on the nodes)."""

import ipaddress

from ansible.errors import AnsibleFilterError


def _network(value, name):
    try:
        return ipaddress.ip_network(str(value), strict=False)
    except ValueError as err:
        raise AnsibleFilterError('%s: %r is not a CIDR: %s' % (name, value, err))


def kvmatrix_is_ipv4(value):
    """True when value is a plain IPv4 address (no prefix)."""
    try:
        return isinstance(ipaddress.ip_address(str(value)), ipaddress.IPv4Address)
    except ValueError:
        return False


def kvmatrix_is_cidr(value):
    """True when value is a network in CIDR notation."""
    try:
        ipaddress.ip_network(str(value), strict=False)
        return '/' in str(value)
    except ValueError:
        return False


def kvmatrix_cidr_overlaps(value, other):
    """True when two networks (or an address and a network) share an address."""
    return _network(value, 'cidr').overlaps(_network(other, 'cidr'))


def kvmatrix_cidr_host(value, index):
    """The index-th address of a network (10.96.0.0/12, 10 -> 10.96.0.10)."""
    net = _network(value, 'cidr')
    return str(net.network_address + int(index))


def kvmatrix_ipv4_network(address, netmask):
    """The CIDR of the network an address with a netmask sits in."""
    return str(ipaddress.ip_interface('%s/%s' % (address, netmask)).network)


def kvmatrix_node_ips(hosts, hostvars):
    """Each host's cluster address: kube_node_ip, else ip, else ansible_host, else its name.

    Role defaults are not in hostvars, so other hosts' addresses are read from this chain,
    the same one the cluster role's cluster_node_ip follows.
    """
    ips = []
    for host in hosts:
        hv = hostvars[host]
        for key in ('kube_node_ip', 'ip', 'ansible_host'):
            if key in hv and hv[key]:
                ips.append(str(hv[key]))
                break
        else:
            ips.append(str(host))
    return ips


class FilterModule(object):
    def filters(self):
        return {
            'kvmatrix_is_ipv4': kvmatrix_is_ipv4,
            'kvmatrix_is_cidr': kvmatrix_is_cidr,
            'kvmatrix_cidr_overlaps': kvmatrix_cidr_overlaps,
            'kvmatrix_cidr_host': kvmatrix_cidr_host,
            'kvmatrix_ipv4_network': kvmatrix_ipv4_network,
            'kvmatrix_node_ips': kvmatrix_node_ips,
        }
