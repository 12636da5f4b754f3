/// The templates shipped with the product, in English and French. Admins override them per workspace.
enum DefaultTemplates {
    struct Parts {
        let subject: String
        let text: String
        let html: String
    }

    static func parts(_ kind: NotificationKind, _ locale: String) -> Parts {
        let fr = locale == "fr"
        switch kind {
        case .ticketCreated:
            return fr
                ? Parts(subject: "Nous avons bien reçu votre demande : {{ticket.subject}}",
                        text: "Bonjour {{recipient.name}},\n\nNous avons bien reçu votre demande n° {{ticket.number}} « {{ticket.subject}} ». Un membre de l'équipe vous répondra bientôt.\n\nSuivre la demande : {{ticket.url}}\n",
                        html: "<p>Bonjour {{recipient.name}},</p><p>Nous avons bien reçu votre demande n° {{ticket.number}} « {{ticket.subject}} ». Un membre de l'équipe vous répondra bientôt.</p><p><a href=\"{{ticket.url}}\">Suivre la demande</a></p>")
                : Parts(subject: "We received your request: {{ticket.subject}}",
                        text: "Hello {{recipient.name}},\n\nWe received your request #{{ticket.number}} \"{{ticket.subject}}\". Someone from the team will answer soon.\n\nFollow it here: {{ticket.url}}\n",
                        html: "<p>Hello {{recipient.name}},</p><p>We received your request #{{ticket.number}} “{{ticket.subject}}”. Someone from the team will answer soon.</p><p><a href=\"{{ticket.url}}\">Follow your request</a></p>")
        case .ticketAssigned:
            return fr
                ? Parts(subject: "Demande assignée : {{ticket.subject}}",
                        text: "Bonjour {{recipient.name}},\n\nLa demande n° {{ticket.number}} « {{ticket.subject}} » (priorité {{ticket.priority}}) vous est assignée.\n\n{{ticket.url}}\n",
                        html: "<p>Bonjour {{recipient.name}},</p><p>La demande n° {{ticket.number}} « {{ticket.subject}} » (priorité {{ticket.priority}}) vous est assignée.</p><p><a href=\"{{ticket.url}}\">Ouvrir la demande</a></p>")
                : Parts(subject: "Assigned to you: {{ticket.subject}}",
                        text: "Hello {{recipient.name}},\n\nTicket #{{ticket.number}} \"{{ticket.subject}}\" ({{ticket.priority}} priority) is now assigned to you.\n\n{{ticket.url}}\n",
                        html: "<p>Hello {{recipient.name}},</p><p>Ticket #{{ticket.number}} “{{ticket.subject}}” ({{ticket.priority}} priority) is now assigned to you.</p><p><a href=\"{{ticket.url}}\">Open the ticket</a></p>")
        case .publicReply:
            return fr
                ? Parts(subject: "Nouvelle réponse : {{ticket.subject}}",
                        text: "Bonjour {{recipient.name}},\n\n{{actor.name}} a répondu à votre demande n° {{ticket.number}} :\n\n{{comment.body}}\n\nRépondez à ce message ou suivez la demande : {{ticket.url}}\n",
                        html: "<p>Bonjour {{recipient.name}},</p><p>{{actor.name}} a répondu à votre demande n° {{ticket.number}} :</p><blockquote style=\"white-space:pre-wrap\">{{comment.body}}</blockquote><p><a href=\"{{ticket.url}}\">Voir la demande</a></p>")
                : Parts(subject: "New reply: {{ticket.subject}}",
                        text: "Hello {{recipient.name}},\n\n{{actor.name}} replied to your request #{{ticket.number}}:\n\n{{comment.body}}\n\nReply to this email or follow the request: {{ticket.url}}\n",
                        html: "<p>Hello {{recipient.name}},</p><p>{{actor.name}} replied to your request #{{ticket.number}}:</p><blockquote style=\"white-space:pre-wrap\">{{comment.body}}</blockquote><p><a href=\"{{ticket.url}}\">View the request</a></p>")
        case .customerReply:
            return fr
                ? Parts(subject: "Le client a répondu : {{ticket.subject}}",
                        text: "{{actor.name}} a répondu sur la demande n° {{ticket.number}} :\n\n{{comment.body}}\n\n{{ticket.url}}\n",
                        html: "<p>{{actor.name}} a répondu sur la demande n° {{ticket.number}} :</p><blockquote style=\"white-space:pre-wrap\">{{comment.body}}</blockquote><p><a href=\"{{ticket.url}}\">Ouvrir la demande</a></p>")
                : Parts(subject: "Customer replied: {{ticket.subject}}",
                        text: "{{actor.name}} replied on ticket #{{ticket.number}}:\n\n{{comment.body}}\n\n{{ticket.url}}\n",
                        html: "<p>{{actor.name}} replied on ticket #{{ticket.number}}:</p><blockquote style=\"white-space:pre-wrap\">{{comment.body}}</blockquote><p><a href=\"{{ticket.url}}\">Open the ticket</a></p>")
        case .internalNote:
            return fr
                ? Parts(subject: "Note interne : {{ticket.subject}}",
                        text: "{{actor.name}} a ajouté une note interne sur la demande n° {{ticket.number}} :\n\n{{comment.body}}\n\n{{ticket.url}}\n",
                        html: "<p>{{actor.name}} a ajouté une note interne sur la demande n° {{ticket.number}} :</p><blockquote style=\"white-space:pre-wrap\">{{comment.body}}</blockquote><p><a href=\"{{ticket.url}}\">Ouvrir la demande</a></p>")
                : Parts(subject: "Internal note: {{ticket.subject}}",
                        text: "{{actor.name}} added an internal note on ticket #{{ticket.number}}:\n\n{{comment.body}}\n\n{{ticket.url}}\n",
                        html: "<p>{{actor.name}} added an internal note on ticket #{{ticket.number}}:</p><blockquote style=\"white-space:pre-wrap\">{{comment.body}}</blockquote><p><a href=\"{{ticket.url}}\">Open the ticket</a></p>")
        case .ticketSolved:
            return fr
                ? Parts(subject: "Demande résolue : {{ticket.subject}}",
                        text: "Bonjour {{recipient.name}},\n\nVotre demande n° {{ticket.number}} « {{ticket.subject}} » est résolue. Si ce n'est pas le cas, répondez simplement à ce message pour la rouvrir.\n\n{{ticket.url}}\n",
                        html: "<p>Bonjour {{recipient.name}},</p><p>Votre demande n° {{ticket.number}} « {{ticket.subject}} » est résolue. Si ce n'est pas le cas, répondez simplement à ce message pour la rouvrir.</p><p><a href=\"{{ticket.url}}\">Voir la demande</a></p>")
                : Parts(subject: "Solved: {{ticket.subject}}",
                        text: "Hello {{recipient.name}},\n\nYour request #{{ticket.number}} \"{{ticket.subject}}\" is solved. If it is not, just reply to this email to reopen it.\n\n{{ticket.url}}\n",
                        html: "<p>Hello {{recipient.name}},</p><p>Your request #{{ticket.number}} “{{ticket.subject}}” is solved. If it is not, just reply to this email to reopen it.</p><p><a href=\"{{ticket.url}}\">View the request</a></p>")
        case .ticketUpdated:
            return fr
                ? Parts(subject: "Demande mise à jour : {{ticket.subject}}",
                        text: "La demande n° {{ticket.number}} a été mise à jour par {{actor.name}} : statut {{ticket.status}}, priorité {{ticket.priority}}.\n\n{{ticket.url}}\n",
                        html: "<p>La demande n° {{ticket.number}} a été mise à jour par {{actor.name}} : statut {{ticket.status}}, priorité {{ticket.priority}}.</p><p><a href=\"{{ticket.url}}\">Voir la demande</a></p>")
                : Parts(subject: "Ticket updated: {{ticket.subject}}",
                        text: "Ticket #{{ticket.number}} was updated by {{actor.name}}: status {{ticket.status}}, priority {{ticket.priority}}.\n\n{{ticket.url}}\n",
                        html: "<p>Ticket #{{ticket.number}} was updated by {{actor.name}}: status {{ticket.status}}, priority {{ticket.priority}}.</p><p><a href=\"{{ticket.url}}\">View the ticket</a></p>")
        case .unverifiedSender:
            return fr
                ? Parts(subject: "Message non vérifié envoyé à votre nom : {{ticket.subject}}",
                        text: "Bonjour {{recipient.name}},\n\nUn e-mail venant de votre adresse n'a pas pu être vérifié (pas de DMARC ni de DKIM valide auprès du serveur de confiance). Il a été gardé sur la demande n° {{ticket.number}}, marqué « expéditeur non vérifié », sans droits d'agent. Si vous ne l'avez pas écrit, quelqu'un usurpe votre adresse.\n\n{{comment.body}}\n\n{{ticket.url}}\n",
                        html: "<p>Bonjour {{recipient.name}},</p><p>Un e-mail venant de votre adresse n'a pas pu être vérifié (pas de DMARC ni de DKIM valide auprès du serveur de confiance). Il a été gardé sur la demande n° {{ticket.number}}, marqué « expéditeur non vérifié », sans droits d'agent. Si vous ne l'avez pas écrit, quelqu'un usurpe votre adresse.</p><blockquote style=\"white-space:pre-wrap\">{{comment.body}}</blockquote><p><a href=\"{{ticket.url}}\">Ouvrir la demande</a></p>")
                : Parts(subject: "Unverified mail sent as you: {{ticket.subject}}",
                        text: "Hello {{recipient.name}},\n\nAn email from your address could not be verified (no passing DMARC or DKIM from the trusted mail server). It was kept on ticket #{{ticket.number}}, marked \"unverified sender\", without agent rights. If you did not write it, someone is using your address.\n\n{{comment.body}}\n\n{{ticket.url}}\n",
                        html: "<p>Hello {{recipient.name}},</p><p>An email from your address could not be verified (no passing DMARC or DKIM from the trusted mail server). It was kept on ticket #{{ticket.number}}, marked “unverified sender”, without agent rights. If you did not write it, someone is using your address.</p><blockquote style=\"white-space:pre-wrap\">{{comment.body}}</blockquote><p><a href=\"{{ticket.url}}\">Open the ticket</a></p>")
        }
    }
}
