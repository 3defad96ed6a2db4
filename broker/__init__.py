"""The MQTT broker layer: configs, users/ACLs and running mosquitto.

* ``broker.configs``      render mosquitto.conf / bridge from ``mosquitto/*.j2``
* ``broker.acl``          the ACL file's grammar: per-user blocks, parsed and rendered whole
* ``broker.passwords``    new passwords, hashed into ``passwd`` by ``mosquitto_passwd``
* ``broker.credentials``  cloud and hub broker directories: users, passwords, ACL together
* ``broker.files``        private (0600, atomic) writes and the directory lock
* ``broker.process``      ``Mosquitto``: start/stop/kill/reload a real broker, pid files, ``free_port``
* ``broker.settings``     ``BrokerSettings``: ``MOSQUITTO``, ``MOSQUITTO_PASSWD``, ``ONESTOP_MOSQUITTO_TEMPLATES``
* ``broker.stack``        running cloud and office brokers for tests, bench and demo
* ``broker.probe``        ``MqttProbe``: blocking MQTT v5 checks with reason codes

Set-up and operations for IT: ``docs/brokers.md``.
"""
