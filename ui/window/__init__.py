"""The main window: the composition root (``main_window``) and the controllers it wires
(the cases and their drafts, attaching, the send bar, the session, the conversation and
the waiting send), with the widgets they drive. Controllers receive their collaborators
and emit signals; none of them imports the window."""
